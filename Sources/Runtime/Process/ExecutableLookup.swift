#if canImport(Glibc)
import Glibc
#endif

/// Finding `args[0]` the way Docker does: a name with a `/` is used as given, any other
/// name is searched for in the PATH of the *container's* environment, not the caller's.
/// The failures carry Docker's exit codes: 127 not found, 126 found but not runnable.
public enum ExecutableLookup {
    public static func resolve(_ command: String, environment: [String]) throws -> String {
        if command.isEmpty {
            throw RuntimeError("exec \(quoted(command)): no command given", exitCode: ExitCode.notFound)
        }
        if command.hasPrefix("/") {
            // A missing absolute path is the caller's error now (a runtime's `create` looks
            // before it returns), not a silent 127 after a container was started. One that is
            // there is left to execve, whose errno says why it cannot run (EACCES: 126).
            guard access(command, F_OK) == 0 else {
                throw RuntimeError("exec \(quoted(command)): no such file or directory", exitCode: ExitCode.notFound)
            }
            return command
        }
        if command.contains("/") { return command }
        let path = environment.last { $0.hasPrefix("PATH=") }.map { String($0.dropFirst(5)) }
            ?? String(Spec.defaultPath.dropFirst(5))
        var foundButNotExecutable = false
        for directory in path.split(separator: ":", omittingEmptySubsequences: false) {
            let candidate = (directory.isEmpty ? "." : String(directory)) + "/" + command
            if isExecutableFile(candidate) { return candidate }
            if access(candidate, F_OK) == 0 { foundButNotExecutable = true }
        }
        if foundButNotExecutable {
            throw RuntimeError("exec \(quoted(command)): permission denied", exitCode: ExitCode.cannotInvoke)
        }
        throw RuntimeError("exec \(quoted(command)): executable file not found in $PATH",
                           exitCode: ExitCode.notFound)
    }

    /// A regular file we may execute (a directory has the x bit too, but cannot be exec'd).
    public static func isExecutableFile(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFREG && access(path, X_OK) == 0
    }

    /// The exit code Docker gives a failed execve: 127 when the file does not exist,
    /// 126 for everything else (not executable, a directory, a bad binary format).
    public static func exitCode(forExecError errno: Int32) -> Int32 {
        errno == ENOENT || errno == ENOTDIR ? ExitCode.notFound : ExitCode.cannotInvoke
    }
}
