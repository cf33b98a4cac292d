#if canImport(Glibc)
import Glibc
#endif
import CShim
import SystemPackage

/// The runtime layer: an OCI bundle (a directory with `config.json` and a root filesystem)
/// becomes a container, through the runtime-spec's operations — `create`, `start`, `state`,
/// `kill`, `delete` — each run as its own command, as runc's are, with the container's record
/// on disk in between (`ContainerDirectory`). Engines (podman's conmon, containerd's shim,
/// Docker) drive it through `minidock-runc`; `minidock run` will drive it in-process.
///
/// The lifecycle, as the spec has it: `create` sets everything up — namespaces, cgroup,
/// mounts, pivot_root — and leaves the container's process *waiting* before it execs the
/// user's program (status `created`); `start` releases it (`running`); when it exits it is
/// `stopped`; `delete` removes what it held.
///
/// The wait is a FIFO, `exec.fifo` in the container's directory, as runc does it: the
/// process opens it for writing, which blocks until someone opens it for reading — `start`.
/// The FIFO is opened `O_PATH` before pivot_root (its path is the host's) and reopened through
/// `/proc/self/fd/N` afterwards.
public struct OCIRuntime: Sendable {
    public let containers: ContainerDirectory

    public init(root: FilePath = ContainerDirectory.defaultRoot) throws {
        containers = try ContainerDirectory(root: root)
    }

    public struct CreateOptions: Sendable {
        public var bundle: FilePath
        public var pidFile: FilePath?
        public var consoleSocket: String?
        public var noPivot = false
        /// How many descriptors after 0, 1 and 2 the container keeps (`--preserve-fds`).
        public var preserveFDs = 0
        /// `run` in the foreground: the container dies with us and we wait for it.
        public var diesWithCaller = false

        public init(bundle: FilePath, pidFile: FilePath? = nil, consoleSocket: String? = nil) {
            self.bundle = bundle
            self.pidFile = pidFile
            self.consoleSocket = consoleSocket
        }
    }

    /// `create`: everything but the user's program. Returns the container's init, held.
    @discardableResult
    public func create(_ id: String, _ options: CreateOptions) throws -> ChildProcess {
        // Everything that can be checked is checked before anything is taken.
        try ContainerDirectory.validate(id)
        let bundle = try absolute(options.bundle)
        let configPath = bundle.appending("config.json")
        let bytes = try FileContents.read(configPath, traced: false)
        try Spec.checkImplemented(bytes, source: configPath.string)
        var spec = try Spec.decode(bytes, source: configPath.string)
        guard let process = spec.process else { throw RuntimeError("\(quoted(configPath.string)): no process to run") }
        guard let rootPath = spec.root?.path, !rootPath.isEmpty else { throw RuntimeError("\(quoted(configPath.string)): no root.path") }
        let rootfs = rootPath.hasPrefix("/") ? FilePath(rootPath) : bundle.appending(rootPath)
        try Rootfs.validate(rootfs)
        spec.root?.path = rootfs.string
        guard !options.noPivot else {
            throw RuntimeError("--no-pivot: not implemented by minidock (a root on a ramdisk cannot be pivoted from)")
        }
        guard options.preserveFDs >= 0, options.preserveFDs < 1 << 20 else {
            throw RuntimeError("--preserve-fds \(options.preserveFDs): must be from 0 to 1048575")
        }
        let terminal = process.terminal == true
        if terminal && options.consoleSocket == nil && !options.diesWithCaller {
            throw RuntimeError("process.terminal is true: a --console-socket is needed to hand the terminal to")
        }
        if !terminal && options.consoleSocket != nil {
            throw RuntimeError("--console-socket given but process.terminal is false")
        }
        let namespaces = Set((spec.linux?.namespaces ?? []).map(\.type))
        for unsupported in [Spec.NamespaceType.user, .time] where namespaces.contains(unsupported) {
            throw RuntimeError("\(quoted(configPath.string)): linux.namespaces: a new \(unsupported.rawValue) namespace is not implemented by minidock; refusing to run without it")
        }
        if let settings = spec.linux?.sysctl { try Sysctl.validate(settings, namespaces: namespaces) }
        if process.capabilities != nil {
            for set in [process.capabilities?.bounding, process.capabilities?.effective, process.capabilities?.permitted,
                        process.capabilities?.inheritable, process.capabilities?.ambient] {
                _ = try Capabilities.mask(set, field: "process.capabilities")
            }
        }

        try DeviceRules.validate(spec.linux?.resources?.devices)
        let cgroupsPath = spec.linux?.cgroupsPath ?? "/\(Cgroup.parentName)/\(id)"
        _ = try Cgroup.name(fromPath: cgroupsPath)

        // The record first — with its creator, so that if we die from here on, the next
        // `delete` finds a stopped container and releases what it holds — then the cgroup.
        var record = ContainerRecord(id: id, bundle: bundle.string, rootfs: rootfs.string, pid: 0, initStartTime: 0,
                                     created: Timestamp.now(), started: false, annotations: spec.annotations,
                                     cgroupsPath: cgroupsPath, hooks: spec.hooks, owner: "")
        record.process = process
        record.creatorPID = ProcessIdentity.current.pid
        record.creatorStartTime = ProcessIdentity.current.startTime
        try containers.claim(record)
        var keep = false
        var cgroup: Cgroup?
        defer {
            if !keep {
                if let cgroup { try? cgroup.remove() }
                try? containers.remove(id)
            }
        }
        cgroup = try Cgroup.create(path: cgroupsPath, resources: spec.linux?.resources)
        let fifo = containers.execFIFO(id)
        try Syscall.call("mkfifo", [quoted(fifo.string), "0622"], subject: quoted(fifo.string)) { mkfifo(fifo.string, 0o622) }
        // The terminal is made inside the container, after pivot_root, from its own /dev/ptmx:
        // a pty of the host's devpts would be "not a tty" to the container (ttyname finds no
        // /dev/pts/N of its own). The listener is connected now, while its path is reachable.
        let consoleSocket = try options.consoleSocket.map { path in
            try Syscall.call("connect", [quoted(path)], subject: quoted(path)) { cshim_connect_unix(path) }
        }
        defer { if let consoleSocket { close(consoleSocket) } }

        // In the parent, while the child waits: its cgroup, then the runtime's hooks.
        func joinCgroupAndHook(_ pid: pid_t) throws {
            try cgroup!.add(pid)
            var created = record
            created.pid = pid
            let state = ContainerStateReport(created, status: .creating)
            try Hooks.run(spec.hooks?.prestart, "prestart", state: state)
            try Hooks.run(spec.hooks?.createRuntime, "createRuntime", state: state)
        }
        // In the child: everything before the user's program (its errors are `create`'s).
        func prepareContainer() throws {
            // The FIFO by descriptor: after pivot_root its path is gone from this mount namespace.
            execFIFODescriptor = try Syscall.call("open", [quoted(fifo.string), "O_PATH"], subject: quoted(fifo.string)) {
                open(fifo.string, O_PATH | O_CLOEXEC)
            }
            try ContainerFilesystem.prepare(spec, beforePivot: {
                var state = record
                state.pid = getpid()
                try Hooks.run(spec.hooks?.createContainer, "createContainer", state: ContainerStateReport(state, status: .creating))
            })
            if let domain = spec.domainname {
                try Syscall.call("setdomainname", [quoted(domain)], subject: quoted(domain)) { setdomainname(domain, domain.utf8.count) }
            }
            // Sysctls while /proc/sys is still writable; then it is made read-only.
            if let settings = spec.linux?.sysctl { try Sysctl.apply(settings) }
            try MaskedPaths.apply(masked: spec.linux?.maskedPaths ?? [], readonly: spec.linux?.readonlyPaths ?? [])
            if terminal, let consoleSocket {
                let console = try Console.open()
                try console.becomeControllingTerminal(size: process.consoleSize)
                try console.send(over: consoleSocket)
                console.close()
            }
            try ProcessSettings.applyLimits(process)
            // A missing command is `create`'s error, as runc's is, not a container that dies at start.
            _ = try ExecutableLookup.resolve(process.args.first ?? "", environment: process.env ?? [])
            // Nothing of the caller's leaks in beyond stdio and what --preserve-fds keeps.
            try DescriptorHygiene.closeInherited(from: 3 + Int32(options.preserveFDs))
        }
        // In the child, after it said "prepared" (and `create` has returned): held until `start`
        // opens the FIFO for reading; then the startContainer hooks and the process's own settings.
        func waitForStart() throws {
            do {
                try releaseAndConfine()
            } catch {
                // `create` has returned and nobody reads the report now: say it where the
                // container's own output goes, as runc's init does.
                fputs("minidock-runc: \((error as? RuntimeError)?.message ?? "\(error)")\n", stderr)
                throw error
            }
        }
        func releaseAndConfine() throws {
            let path = "/proc/self/fd/\(execFIFODescriptor)"
            let writer = try Syscall.call("open", [quoted(path), "O_WRONLY"], subject: "exec.fifo") { open(path, O_WRONLY | O_CLOEXEC) }
            var byte: UInt8 = 0
            _ = try Syscall.call("write", ["exec.fifo", "\"0\"", "1"], subject: "exec.fifo") { write(writer, &byte, 1) }
            close(writer)
            close(execFIFODescriptor)
            var state = record
            state.pid = getpid()
            try Hooks.run(spec.hooks?.startContainer, "startContainer", state: ContainerStateReport(state, status: .running))
            try ProcessSettings.applyIdentity(process)
        }
        let child = try ChildProcess.start(process, namespaces: CloneFlags(newNamespacesOf: spec), diesWithParent: options.diesWithCaller,
                                           whenPrepared: waitForStart, inParent: joinCgroupAndHook, prepare: prepareContainer)
        record.pid = child.pid
        record.initStartTime = ProcessIdentity.startTime(of: child.pid) ?? 0
        try containers.save(record)
        if let pidFile = options.pidFile { try writePIDFile(child.pid, to: pidFile) }
        keep = true
        return child
    }

    /// A relative bundle is the caller's working directory's.
    func absolute(_ path: FilePath) throws -> FilePath {
        guard !path.string.isEmpty else { throw RuntimeError("--bundle: empty path") }
        return path.isAbsolute ? path : FilePath(HostEnvironment.currentDirectory()).appending(path.components)
    }

    /// The PID file engines read (conmon, the containerd shim): written aside, then renamed.
    func writePIDFile(_ pid: pid_t, to path: FilePath) throws {
        let target = try absolute(path)
        let staging = FilePath(target.string + ".tmp-\(getpid())")
        try FileContents.write(Array("\(pid)".utf8), to: staging, create: true)
        try Syscall.call("rename", [quoted(staging.string), quoted(target.string)], subject: quoted(target.string)) {
            rename(staging.string, target.string)
        }
    }
}

/// The held container's FIFO descriptor, from `prepare` to `whenPrepared` (both in the child,
/// which has exactly this one container: nothing is shared with another).
nonisolated(unsafe) private var execFIFODescriptor: Int32 = -1
