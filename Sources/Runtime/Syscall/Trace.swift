#if canImport(Glibc)
import Glibc
#endif

/// The one hook through which Runtime reports every kernel-facing step.
///
/// Each line is the call in C spelling with its result, as strace would print it:
/// `unshare(CLONE_NEWUTS|CLONE_NEWPID) = 0`, or `mount(...) = -1 EPERM`.
/// Lessons show the trace by default; `minidock --debug` shows it.
public enum Trace {
    /// Receives each line. nil (the default) means tracing is off and costs nothing
    /// beyond the nil check: the argument strings are built only when a hook is set.
    nonisolated(unsafe) public static var hook: ((String) -> Void)?

    public static var isOn: Bool { hook != nil }

    /// Report a line built lazily.
    @inline(__always)
    public static func emit(_ line: @autoclosure () -> String) {
        if let hook { hook(line()) }
    }

    /// Print the trace on standard error, each line tagged with the PID of the process
    /// that made the call as that process sees it — so a learner sees a container's
    /// first process call itself PID 1.
    ///
    /// It writes with write(2), unbuffered, because lines come from both sides of a
    /// fork and a stdio buffer copied into the child would print twice.
    public static func printToStandardError(prefix: String = "trace") {
        hook = { line in
            let text = "\(prefix)[\(getpid())] \(line)\n"
            var remaining = Array(text.utf8)[...]
            while !remaining.isEmpty {
                let written = remaining.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
                if written < 0 { if errno == EINTR { continue } else { return } }
                remaining = remaining.dropFirst(written)
            }
        }
    }
}
