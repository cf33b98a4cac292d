#if canImport(Glibc)
import Glibc
#endif
import CShim
import FoundationEssentials
import SystemPackage

/// Running the spec's hooks: each program started with its args and env, the container's state
/// (the same JSON `state` prints) on its standard input, and its standard output and error the
/// runtime's. A hook that fails — a non-zero exit, a signal, past its `timeout` (then it is
/// killed) — fails the step it belongs to, as the runtime-spec says for all but poststart and
/// poststop, whose failures are reported and then ignored.
public enum Hooks {
    public static func run(_ hooks: [Spec.Hook]?, _ stage: String, state: ContainerStateReport) throws {
        guard let hooks, !hooks.isEmpty else { return }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let input = Array(try encoder.encode(state))
        for (index, hook) in hooks.enumerated() {
            try run(hook, input: input, what: "\(stage) hook \(index) (\(quoted(hook.path)))")
        }
    }

    static func run(_ hook: Spec.Hook, input: [UInt8], what: String) throws {
        guard hook.path.hasPrefix("/") else { throw RuntimeError("\(what): path must be absolute") }
        if let timeout = hook.timeout, timeout <= 0 { throw RuntimeError("\(what): timeout must be positive") }
        // A socket pair rather than a pipe: send(MSG_NOSIGNAL) to a hook that exited without
        // reading gives EPIPE, never a SIGPIPE that would kill the runtime.
        var pipeEnds: [Int32] = [-1, -1]
        try Syscall.call("socketpair", ["AF_UNIX", "SOCK_STREAM|SOCK_CLOEXEC", "0", "[…]"], subject: what) {
            socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &pipeEnds)
        }
        defer { if pipeEnds[1] >= 0 { close(pipeEnds[1]) } }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, pipeEnds[0], 0)
        // Only stdio: a hook must not hold the caller's descriptors (an engine waiting for the
        // end of a pipe would wait for the hook too).
        cshim_spawn_close_from(&actions, 3)
        let argv = (hook.args ?? [hook.path]).map { strdup($0) } + [nil]
        let envp = (hook.env ?? []).map { strdup($0) } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, hook.path, &actions, nil, argv, envp)
        close(pipeEnds[0])
        guard spawned == 0 else {
            throw RuntimeError(call: "posix_spawn", subject: quoted(hook.path), errno: Errno(rawValue: spawned))
        }
        Trace.emit("posix_spawn(\(quoted(hook.path)), \(hook.args ?? [])) = \(pid)  [\(what)]")
        // The hook may exit without reading its input: EPIPE is its business, not a failure.
        _ = input.withUnsafeBytes { send(pipeEnds[1], $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        close(pipeEnds[1])
        pipeEnds[1] = -1
        let deadline = hook.timeout.map { monotonicSeconds() + Double($0) }
        var status: Int32 = 0
        while true {
            let reaped = waitpid(pid, &status, WNOHANG)
            if reaped == pid { break }
            if reaped < 0 && errno != EINTR { throw RuntimeError(call: "waitpid", subject: what, errno: Errno(rawValue: errno)) }
            if let deadline, monotonicSeconds() > deadline {
                kill(pid, SIGKILL)
                _ = waitpid(pid, &status, 0)
                throw RuntimeError("\(what): still running after its timeout of \(hook.timeout!) s; killed")
            }
            usleep(2_000)
        }
        let ended = ExitStatus(waitStatus: status)
        switch ended {
        case .exited(0): return
        case .exited(let code): throw RuntimeError("\(what): exited with status \(code)")
        case .signaled(let signal): throw RuntimeError("\(what): killed by \(SignalName.name(of: signal))")
        }
    }

    static func monotonicSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }
}
