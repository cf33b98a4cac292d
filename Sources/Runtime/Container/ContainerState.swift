#if canImport(Glibc)
import Glibc
#endif
import SystemPackage

/// A container of the runtime layer, as recorded on disk between the commands that act on it
/// (`create` … `start` … `kill` … `delete` are separate processes, like runc's).
///
/// The record holds what cannot be asked of the kernel (the bundle, when it was created,
/// whether `start` has run) and what identifies the container's init: its PID *and* its start
/// time, so a PID the kernel has since given to another process is never taken for the
/// container. The status is not stored but derived, each time, from the kernel.
public struct ContainerRecord: Codable, Equatable, Sendable {
    public var id: String
    /// The bundle directory, absolute.
    public var bundle: String
    /// The root filesystem, absolute (config.json's root.path resolved against the bundle).
    public var rootfs: String
    /// 0 while the container is being created.
    public var pid: Int32
    /// Field 22 of /proc/PID/stat when init was started.
    public var initStartTime: UInt64
    /// RFC 3339, UTC.
    public var created: String
    /// Set by `start`, once the user's process has been released.
    public var started: Bool
    public var annotations: [String: String]?
    /// The cgroup, as `Cgroup.open` needs it again (`/minidock/ID` when config.json has no path).
    public var cgroupsPath: String
    /// The hooks that run after create (poststart, poststop): kept, since the bundle may be gone.
    public var hooks: Spec.Hooks?
    /// The user who created it (runc's `owner`).
    public var owner: String
    /// The `create` that made it: while the container has no PID yet, a creator that is gone
    /// (killed midway) means the container never will have one — it is stopped, for `delete`.
    /// The container's process as config.json had it: `exec` starts from it (environment,
    /// user, capabilities, limits), so what runs later is confined as init is.
    public var process: Spec.Process?
    public var creatorPID: Int32 = 0
    public var creatorStartTime: UInt64 = 0

    public init(id: String, bundle: String, rootfs: String, pid: Int32, initStartTime: UInt64, created: String,
                started: Bool, annotations: [String: String]?, cgroupsPath: String, hooks: Spec.Hooks?, owner: String) {
        self.id = id
        self.bundle = bundle
        self.rootfs = rootfs
        self.pid = pid
        self.initStartTime = initStartTime
        self.created = created
        self.started = started
        self.annotations = annotations
        self.cgroupsPath = cgroupsPath
        self.hooks = hooks
        self.owner = owner
    }

    /// The init, as an identity that a reused PID does not match.
    public var initProcess: ProcessIdentity { ProcessIdentity(pid: pid, startTime: initStartTime) }
}

/// The runtime-spec's statuses, plus `paused` (runc's, for a frozen cgroup).
public enum ContainerStatus: String, Codable, Sendable {
    case creating, created, running, paused, stopped
}

/// What `state` prints: the runtime-spec's state (ociVersion, id, status, pid, bundle,
/// annotations) and the fields runc adds (rootfs, created, owner), in runc's order.
public struct ContainerStateReport: Codable, Equatable, Sendable {
    public var ociVersion: String
    public var id: String
    public var pid: Int32
    public var status: ContainerStatus
    public var bundle: String
    public var rootfs: String
    public var created: String
    public var owner: String
    public var annotations: [String: String]?

    public init(_ record: ContainerRecord, status: ContainerStatus) {
        ociVersion = Spec.version
        id = record.id
        // The spec: pid is required while created or running; runc reports 0 once stopped.
        pid = status == .stopped ? 0 : record.pid
        self.status = status
        bundle = record.bundle
        rootfs = record.rootfs
        created = record.created
        owner = record.owner
        annotations = record.annotations
    }
}

extension ProcessIdentity {
    /// Whether this process has ended, counting a zombie as ended: an init that exited but
    /// that nobody has reaped yet (its parent is a subreaper that waits later) has stopped.
    public var hasEnded: Bool {
        guard let (state, start) = Self.stateAndStartTime(of: pid), start == startTime else { return true }
        return state == UInt8(ascii: "Z") || state == UInt8(ascii: "X")
    }
}
