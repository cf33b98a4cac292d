#if canImport(Glibc)
import Glibc
#endif
import SystemPackage

/// `start`, `kill`, `delete`, `pause`, `resume`: each acts on a container `create` left on disk,
/// after reading its status from the kernel. Errors and exit codes follow runc's (1, and its
/// words where an engine might match them).
extension OCIRuntime {
    /// The record and its status now.
    public func inspect(_ id: String) throws -> (record: ContainerRecord, status: ContainerStatus) {
        let record = try containers.load(id)
        return (record, containers.status(of: record))
    }

    /// `start`: release the created container's process to exec its program.
    public func start(_ id: String) throws {
        var (record, status) = try inspect(id)
        guard status == .created else {
            throw RuntimeError("cannot start a container that has \(status == .stopped ? "stopped" : "already been started")", exitCode: 1)
        }
        let fifo = containers.execFIFO(id)
        // The process holds the FIFO open for writing, blocked: our open completes both; its
        // byte tells us it is through. O_NONBLOCK on open only, so a process that died in
        // between gives end-of-file rather than a wait for ever.
        let reader = try Syscall.call("open", [quoted(fifo.string), "O_RDONLY|O_NONBLOCK"], subject: quoted(fifo.string)) {
            open(fifo.string, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        }
        defer { close(reader) }
        var byte: UInt8 = 0
        var got = 0
        for _ in 0..<5000 {
            got = read(reader, &byte, 1)
            if got == 1 || record.initProcess.hasEnded { break }
            usleep(1_000)
        }
        guard got == 1 else { throw RuntimeError("cannot start container \(id): its process is gone", exitCode: 1) }
        unlink(fifo.string)
        record.started = true
        try containers.save(record)
        do {
            try Hooks.run(record.hooks?.poststart, "poststart", state: ContainerStateReport(record, status: .running))
        } catch {
            // The spec: a poststart failure is logged, the container goes on.
            fputs("minidock-runc: warning: \(error)\n", stderr)
        }
    }

    /// `kill`: send `signal` to the container's init (or, `all`, to every process in its cgroup).
    public func kill(_ id: String, signal: Int32, all: Bool = false) throws {
        let (record, status) = try inspect(id)
        guard status != .stopped else { throw RuntimeError("container not running", exitCode: 1) }
        if all {
            let cgroup = try Cgroup.open(path: record.cgroupsPath)
            for pid in try cgroup.processes() {
                try Syscall.call("kill", ["\(pid)", SignalName.name(of: signal)], subject: "\(pid)", tolerating: [.noSuchProcess]) {
                    Glibc.kill(pid, signal)
                }
            }
        } else {
            guard record.pid > 0 else { throw RuntimeError("container not running", exitCode: 1) }
            try Syscall.call("kill", ["\(record.pid)", SignalName.name(of: signal)], subject: "\(record.pid)") {
                Glibc.kill(record.pid, signal)
            }
        }
    }

    /// `delete`: remove a stopped container (or a created one, which never ran: it is killed).
    /// A running or paused one only with `force`, which kills it first.
    public func delete(_ id: String, force: Bool = false) throws {
        let (record, status) = try inspect(id)
        switch status {
        case .stopped:
            break
        case .creating:
            throw RuntimeError("cannot delete container \(id): it is being created", exitCode: 1)
        case .created:
            try stop(record)
        case .running, .paused:
            guard force else {
                throw RuntimeError("cannot delete container \(id) that is not stopped: \(status.rawValue)", exitCode: 1)
            }
            try stop(record)
        }
        let cgroup = try Cgroup.open(path: record.cgroupsPath)
        try cgroup.remove()
        try containers.remove(id)
        do {
            try Hooks.run(record.hooks?.poststop, "poststop", state: ContainerStateReport(record, status: .stopped))
        } catch {
            fputs("minidock-runc: warning: \(error)\n", stderr)
        }
    }

    /// SIGKILL everything in the container (a frozen cgroup is thawed: a frozen process cannot
    /// die) and wait, briefly, until the init is gone.
    func stop(_ record: ContainerRecord) throws {
        let cgroup = try Cgroup.open(path: record.cgroupsPath)
        if (try? cgroup.isFrozen()) == true { try cgroup.thaw() }
        // (pid 0 would be kill(2)'s "my whole process group": never.)
        if record.pid > 0, !record.initProcess.hasEnded { Glibc.kill(record.pid, SIGKILL) }
        for pid in (try? cgroup.processes()) ?? [] { Glibc.kill(pid, SIGKILL) }
        for _ in 0..<2000 where record.pid > 0 && !record.initProcess.hasEnded { usleep(1_000) }
    }

    /// `pause` and `resume`: freeze and thaw the container's cgroup.
    public func pause(_ id: String) throws {
        let (record, status) = try inspect(id)
        guard status == .running else { throw RuntimeError("container not running", exitCode: 1) }
        try Cgroup.open(path: record.cgroupsPath).freeze()
    }

    public func resume(_ id: String) throws {
        let (record, status) = try inspect(id)
        guard status == .paused else { throw RuntimeError("container not paused", exitCode: 1) }
        try Cgroup.open(path: record.cgroupsPath).thaw()
    }

    /// The state `state` prints.
    public func state(_ id: String) throws -> ContainerStateReport {
        let (record, status) = try inspect(id)
        return ContainerStateReport(record, status: status)
    }

    /// Every container's state, for `list`.
    public func list() throws -> [ContainerStateReport] {
        try containers.ids().compactMap { try? state($0) }
    }

    /// The PIDs in the container's cgroup, for `ps`.
    public func processes(_ id: String) throws -> [pid_t] {
        let (record, status) = try inspect(id)
        guard status != .stopped else { return [] }
        return try Cgroup.open(path: record.cgroupsPath).processes()
    }

    /// Usage of the container's cgroup, for `events --stats`.
    public func statistics(_ id: String) throws -> CgroupStatistics {
        let (record, status) = try inspect(id)
        guard status != .stopped else { throw RuntimeError("container not running", exitCode: 1) }
        return try Cgroup.open(path: record.cgroupsPath).statistics()
    }

    /// `update`: new limits for a live container.
    public func update(_ id: String, resources: Spec.Resources) throws {
        let (record, status) = try inspect(id)
        guard status != .stopped else { throw RuntimeError("container not running", exitCode: 1) }
        try Cgroup.open(path: record.cgroupsPath).apply(resources)
    }
}
