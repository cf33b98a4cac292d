import CShim
#if canImport(Glibc)
import Glibc
#endif
import SystemPackage

extension OCIRuntime {
    public struct ExecOptions: Sendable {
        public var process: Spec.Process
        public var detach = false
        public var pidFile: FilePath?
        public var consoleSocket: String?
        public var preserveFDs = 0

        public init(process: Spec.Process) { self.process = process }
    }

    /// `exec`: run another process in a running container, joined to its namespaces and
    /// cgroup and confined as its init is.
    ///
    /// It goes through an intermediate process, as nsenter's does:
    ///   1. we fork; the intermediate joins the container's cgroup (its children are born in
    ///      it), makes itself non-dumpable (nothing in the container may open its
    ///      /proc/PID/exe or memory: the CVE-2019-5736 class), and setns(2)s into each of
    ///      init's namespaces, the mount namespace last (after it, the host's /proc is gone);
    ///   2. setns into a PID namespace moves only *future children* into it, so it forks
    ///      again; the new process, now inside, moves to `/` and then the process's cwd
    ///      (never a host directory: the CVE-2024-21626 class), takes the user, capabilities
    ///      and limits, and execs;
    ///   3. the intermediate tells us the new process's PID and either waits for it and
    ///      exits with its status (foreground) or exits at once (`detach`: the process is
    ///      then the caller's subreaper's, as engines want).
    /// Errors before exec come back over a close-on-exec socket, as `ChildProcess`'s do.
    public func exec(_ id: String, _ options: ExecOptions) throws -> ExitStatus? {
        let (record, status) = try inspect(id)
        switch status {
        case .running: break
        case .paused: throw RuntimeError("cannot exec in a paused container", exitCode: 1)
        default: throw RuntimeError("cannot exec in a \(status.rawValue) container", exitCode: 1)
        }
        try ChildProcess.requireSingleThreaded()
        var process = options.process
        if process.terminal == true && options.consoleSocket == nil {
            throw RuntimeError("process.terminal is true: a --console-socket is needed to hand the terminal to", exitCode: 1)
        }
        if process.env == nil { process.env = record.process?.env }
        // Namespaces of init that differ from ours, opened now, in our own mount namespace.
        var namespaces: [(type: String, fd: Int32)] = []
        defer { namespaces.forEach { close($0.fd) } }
        for type in ["cgroup", "ipc", "uts", "net", "pid", "mnt"] {
            let theirs = "/proc/\(record.pid)/ns/\(type)"
            guard let target = try? readLink(theirs), target != (try? readLink("/proc/self/ns/\(type)")) else { continue }
            let fd = try Syscall.call("open", [quoted(theirs), "O_RDONLY"], subject: quoted(theirs)) { open(theirs, O_RDONLY | O_CLOEXEC) }
            namespaces.append((type, fd))
        }
        let cgroup = try Cgroup.open(path: record.cgroupsPath)
        let consoleSocket = try options.consoleSocket.map { path in
            try Syscall.call("connect", [quoted(path)], subject: quoted(path)) { cshim_connect_unix(path) }
        }
        defer { if let consoleSocket { close(consoleSocket) } }
        var ends: [Int32] = [-1, -1]
        try Syscall.call("socketpair", ["AF_UNIX", "SOCK_SEQPACKET|SOCK_CLOEXEC"], subject: "") {
            socketpair(AF_UNIX, Int32(SOCK_SEQPACKET.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &ends)
        }
        fflush(nil)
        let intermediate = try Syscall.call("fork", [], subject: "exec") { cshim_clone(0) }
        if intermediate == 0 {
            close(ends[0])
            runIntermediate(process, namespaces: namespaces, cgroup: cgroup, report: ends[1], detach: options.detach,
                            consoleSocket: consoleSocket, preserveFDs: options.preserveFDs)
        }
        close(ends[1])
        defer { close(ends[0]) }
        // Two messages, in either order (the intermediate's and the new process's race): the new
        // process's PID as the host numbers it, and end-of-file once it has exec'd — or an error.
        var pid: pid_t?
        while let message = receive(ends[0]) {
            if message.hasPrefix("pid "), let number = pid_t(message.dropFirst(4)) {
                pid = number
                continue
            }
            var code: Int32 = 0
            while waitpid(intermediate, &code, 0) < 0 && errno == EINTR {}
            throw Self.failure(from: message)
        }
        guard let pid else { throw RuntimeError("exec: the process ended before it was started", exitCode: 1) }
        if let pidFile = options.pidFile { try writePIDFile(pid, to: pidFile) }
        if options.detach {
            var code: Int32 = 0
            while waitpid(intermediate, &code, 0) < 0 && errno == EINTR {}
            return nil
        }
        try SignalForwarding.start(to: pid)
        var code: Int32 = 0
        while waitpid(intermediate, &code, 0) < 0 && errno == EINTR {}
        SignalForwarding.stop(to: pid)
        // The intermediate exits with the process's status as Docker numbers it (128+N when killed).
        return ExitStatus(waitStatus: code)
    }

    /// The intermediate's side (see `exec`). Never returns.
    private func runIntermediate(_ process: Spec.Process, namespaces: [(type: String, fd: Int32)], cgroup: Cgroup, report: Int32,
                                 detach: Bool, consoleSocket: Int32?, preserveFDs: Int) -> Never {
        func tell(_ text: String) {
            _ = Array(text.utf8).withUnsafeBytes { send(report, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        }
        func fail(_ error: Error) -> Never {
            let runtimeError = error as? RuntimeError ?? RuntimeError("\(error)")
            // "error CODE message": the exit code travels with it (127: not found, 126: cannot run).
            tell("error \(runtimeError.exitCode) \(runtimeError.message)")
            _exit(runtimeError.exitCode)
        }
        do {
            try cgroup.add(getpid())
            try Syscall.call("prctl", ["PR_SET_DUMPABLE", "0"], subject: "PR_SET_DUMPABLE") { cshim_set_dumpable(0) }
            for namespace in namespaces {
                try Syscall.call("setns", ["\(namespace.fd)", namespace.type], subject: namespace.type) { cshim_setns(namespace.fd) }
            }
            try Syscall.call("chdir", [quoted("/")], subject: quoted("/")) { chdir("/") }
        } catch {
            fail(error)
        }
        let pid: pid_t
        do {
            pid = try Syscall.call("fork", [], subject: "exec") { cshim_clone(0) }
        } catch {
            fail(error)
        }
        if pid == 0 {
            do {
                if process.terminal == true, let consoleSocket {
                    let console = try Console.open()
                    try console.becomeControllingTerminal(size: process.consoleSize)
                    try console.send(over: consoleSocket)
                    console.close()
                }
                try DescriptorHygiene.closeInherited(from: 3 + Int32(preserveFDs))
                try ProcessSettings.apply(process)
                try ChildProcess.exec(process)
            } catch {
                fail(error)
            }
        }
        tell("pid \(pid)")
        if detach { _exit(0) }
        close(report)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let ended = ExitStatus(waitStatus: status)
        _exit(ended.dockerExitCode)
    }

    /// "error CODE message" as the error it was.
    static func failure(from message: String) -> RuntimeError {
        let parts = message.split(separator: " ", maxSplits: 2)
        guard parts.count == 3, parts[0] == "error", let code = Int32(parts[1]) else { return RuntimeError(message, exitCode: 1) }
        return RuntimeError(String(parts[2]), exitCode: code)
    }

    private func receive(_ socket: Int32) -> String? {
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
            if count < 0 && errno == EINTR { continue }
            return count > 0 ? String(decoding: buffer[..<count], as: UTF8.self) : nil
        }
    }

    private func readLink(_ path: String) throws -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        let count = readlink(path, &buffer, buffer.count - 1)
        guard count > 0 else { throw RuntimeError(call: "readlink", subject: quoted(path), errno: .init(rawValue: errno)) }
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
