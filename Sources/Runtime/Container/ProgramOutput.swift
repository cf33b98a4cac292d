#if canImport(Glibc)
import Glibc
#endif

/// Run a program to its end and return what it wrote to standard output (for `ps`, which
/// runc too leaves to ps(1)). Its standard error is ours.
public enum ProgramOutput {
    public static func run(_ path: String, _ arguments: [String]) throws -> String {
        var ends: [Int32] = [-1, -1]
        try Syscall.call("pipe", [], subject: quoted(path), traced: false) { pipe(&ends) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, ends[1], 1)
        posix_spawn_file_actions_addclose(&actions, ends[0])
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, path, &actions, nil, argv, environ)
        close(ends[1])
        defer { close(ends[0]) }
        guard spawned == 0 else {
            throw RuntimeError(call: "posix_spawn", subject: quoted(path), errno: .init(rawValue: spawned))
        }
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(ends[0], $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            output.append(contentsOf: buffer[..<count])
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        guard ExitStatus(waitStatus: status) == .exited(0) else {
            throw RuntimeError("\(path) \(arguments.joined(separator: " ")): ended with \(ExitStatus(waitStatus: status))")
        }
        return String(decoding: output, as: UTF8.self)
    }
}
