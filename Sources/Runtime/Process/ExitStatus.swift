import CShim

/// How a process ended, from a wait(2) status.
public enum ExitStatus: Equatable, Sendable {
    case exited(Int32)
    case signaled(Int32)

    /// Decode a raw wait status (the C macros WIFEXITED, WEXITSTATUS, WTERMSIG).
    public init(waitStatus status: Int32) {
        if cshim_wifsignaled(status) != 0 {
            self = .signaled(cshim_wtermsig(status))
        } else {
            self = .exited(cshim_wexitstatus(status))
        }
    }

    /// The exit code as Docker and shells report it: the code itself, or 128+N when
    /// killed by signal N (137 after SIGKILL, 143 after SIGTERM).
    public var dockerExitCode: Int32 {
        switch self {
        case .exited(let code): return code
        case .signaled(let signal): return 128 + signal
        }
    }
}

extension ExitStatus: CustomStringConvertible {
    /// As strace prints a wait status: `{WIFEXITED(s) && WEXITSTATUS(s) == 0}`.
    public var description: String {
        switch self {
        case .exited(let code): return "{WIFEXITED(s) && WEXITSTATUS(s) == \(code)}"
        case .signaled(let signal): return "{WIFSIGNALED(s) && WTERMSIG(s) == \(SignalName.name(of: signal))}"
        }
    }
}
