#if canImport(Glibc)
import Glibc
#endif
import SystemPackage

/// The gate every libc call in Runtime goes through.
///
/// It retries EINTR, captures errno immediately after the call (anything else that runs
/// first, even a print, may overwrite it), reports the call to the trace, and turns failure
/// into a `RuntimeError` whose message names the call and its argument.
public enum Syscall {
    /// Run `body`, a libc call that returns -1 and sets errno on failure.
    ///
    /// - Parameters:
    ///   - name: the C function name, `mount`.
    ///   - arguments: the arguments in C spelling for the trace, built only when tracing.
    ///   - subject: what the error message names after the call: `"proc" on "/x/proc"`.
    @discardableResult
    public static func call<Result: BinaryInteger>(
        _ name: String,
        _ arguments: @autoclosure () -> [String],
        subject: @autoclosure () -> String,
        exitCode: Int32 = ExitCode.runtimeFailure,
        traced: Bool = true,
        _ body: () -> Result
    ) throws -> Result {
        while true {
            let result = body()
            if result != -1 {
                if traced { Trace.emit("\(name)(\(arguments().joined(separator: ", "))) = \(result)") }
                return result
            }
            let error = Errno(rawValue: errno)
            if error == .interrupted { continue }
            // A failure is always traced, even of a call whose success is too routine to show.
            Trace.emit("\(name)(\(arguments().joined(separator: ", "))) = -1 \(error.symbolicName)")
            throw RuntimeError(call: name, subject: subject(), errno: error, exitCode: exitCode)
        }
    }

    /// Like `call`, but a failure with one of `tolerated` is returned instead of thrown
    /// (`mkdir` that finds the directory already there). Returns nil on a tolerated error.
    @discardableResult
    public static func call<Result: BinaryInteger>(
        _ name: String,
        _ arguments: @autoclosure () -> [String],
        subject: @autoclosure () -> String,
        traced: Bool = true,
        tolerating tolerated: Set<Errno>,
        _ body: () -> Result
    ) throws -> Result? {
        do {
            return try call(name, arguments(), subject: subject(), traced: traced, body)
        } catch let error as RuntimeError {
            if let errno = error.errno, tolerated.contains(errno) { return nil }
            throw error
        }
    }
}
