import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif
import Runtime

/// A running lesson: its name, its narration, and how it ends.
///
/// Narration (`say`) and the trace go to standard error, so that standard output is
/// only what the command inside printed — a workshop can pipe it, a test can compare it.
///
/// A lesson ignores SIGPIPE: when whoever reads its output has gone (`| head -1`), a write
/// fails with EPIPE and the lesson carries on to its cleanup instead of dying mid-way. The
/// narration and the trace simply go unseen then; the container's command gets SIGPIPE's
/// default back before it execs.
public struct Lesson {
    public let name: String
    public let quiet: Bool
    private let cleanup = CleanupRecord()

    /// Parse the lesson's command line. A bad flag ends the lesson at once with one line
    /// and Docker's exit code for a runtime error, 125; `--help` prints the help and exits 0.
    public static func parse<Options: ParsableArguments>(_ type: Options.Type, name: String) -> Options {
        BrokenPipe.ignore()
        do {
            return try Options.parse()
        } catch {
            if Options.exitCode(for: error) == .success {
                // The usage line names the options type; a learner types the lesson's name.
                let help = Options.fullMessage(for: error)
                let prefix = "USAGE: options"
                print(help.hasPrefix(prefix) ? "USAGE: \(name)" + help.dropFirst(prefix.count) : help)
                exit(0)
            }
            let message = Options.message(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
            fputs("\(name): \(message.lowercasedFirst)\n", stderr)
            exit(ExitCode.runtimeFailure)
        }
    }

    public init(name: String, quiet: Bool) {
        self.name = name
        self.quiet = quiet
        BrokenPipe.ignore()
        if !quiet { Trace.printToStandardError() }
        // What lessons killed with SIGKILL left in /tmp, which no cleanup code survives.
        for leftover in StateOption.removeAbandoned() {
            say("removed \(leftover), left by a lesson that was killed")
        }
    }

    /// Undo something the lesson made (remove its cgroup, its state directory). A failure is
    /// said in one line; if the command itself succeeded, the lesson then exits 125, so that a
    /// script sees something was left behind — a command that failed keeps its own exit code.
    /// `action` says what, for the one line: `remove the cgroup`.
    public func cleanUp(_ action: String, _ body: () throws -> Void) {
        do {
            try body()
        } catch {
            report("could not \(action): \(error)")
            cleanup.failed = true
        }
    }

    /// One line of narration: what the lesson is about to do and why.
    public func say(_ text: String) {
        guard !quiet else { return }
        fputs("\(name): \(text)\n", stderr)
    }

    /// A result the lesson reports even with --quiet: what the kernel said happened.
    public func report(_ text: String) {
        fputs("\(name): \(text)\n", stderr)
    }

    /// Run the lesson's body and exit with its status as Docker would report it. A
    /// `RuntimeError` becomes one line on stderr and its exit code (125, 126 or 127).
    public func run(_ body: () throws -> ExitStatus) -> Never {
        do {
            let status = try body()
            say("the command ended: \(status) → exit code \(status.dockerExitCode)")
            if cleanup.failed && status == .exited(0) { exit(ExitCode.runtimeFailure) }
            exit(status.dockerExitCode)
        } catch let error as RuntimeError {
            fputs("\(name): \(error.message)\n", stderr)
            exit(error.exitCode)
        } catch {
            fputs("\(name): \(error)\n", stderr)
            exit(ExitCode.runtimeFailure)
        }
    }

    /// Mounts, chroot and namespaces need root; say so plainly instead of failing on EPERM halfway.
    public func requireRoot(for reason: String) throws {
        if geteuid() != 0 {
            throw RuntimeError("must be run as root: \(reason) (try sudo)")
        }
    }
}

/// Whether any cleanup of a lesson failed: set by `cleanUp`, read once by `run`.
private final class CleanupRecord {
    var failed = false
}
