/// The OCI runtime-spec `config.json` model: what a container is.
///
/// Field names are the spec's own (runtime-spec, config.md and config-linux.md), so a
/// `config.json` written by `runc spec` decodes into it and one we write is read by runc.
/// Only what minidock uses is modelled; unknown fields are ignored when decoding.
/// Lessons build a `Spec` and hand it to Runtime; `minidock run` turns flags and an
/// image's config into one. One path through the code.
public struct Spec: Codable, Equatable, Sendable {
    public var ociVersion: String
    public var process: Process?
    public var root: Root?
    public var hostname: String?
    /// The NIS domain name, set in the container's UTS namespace.
    public var domainname: String?
    public var mounts: [Mount]?
    public var linux: Linux?
    /// Programs run at points of the container's lifecycle (Spec+Hooks.swift).
    public var hooks: Hooks?
    /// Free-form metadata, handed back in the container's state.
    public var annotations: [String: String]?

    public init(ociVersion: String = Spec.version, process: Process? = nil, root: Root? = nil,
                hostname: String? = nil, mounts: [Mount]? = nil, linux: Linux? = nil) {
        self.ociVersion = ociVersion
        self.process = process
        self.root = root
        self.hostname = hostname
        self.mounts = mounts
        self.linux = linux
    }

    /// The runtime-spec version this model follows.
    public static let version = "1.2.0"

    /// `process`: what to run in the container.
    public struct Process: Codable, Equatable, Sendable {
        public var terminal: Bool?
        public var user: User?
        /// The command and its arguments; `args[0]` is looked up in the container's PATH.
        public var args: [String]
        /// `KEY=value` strings, as execve(2) takes them.
        public var env: [String]?
        /// The working directory, absolute, inside the container.
        public var cwd: String
        public var capabilities: Capabilities?
        public var rlimits: [Rlimit]?
        public var noNewPrivileges: Bool?
        /// Written to /proc/self/oom_score_adj: how willingly the OOM killer picks this process.
        public var oomScoreAdj: Int?
        /// The terminal's size when `terminal` is true.
        public var consoleSize: ConsoleSize?

        public init(args: [String], env: [String]? = nil, cwd: String = "/", terminal: Bool? = nil,
                    user: User? = nil) {
            self.args = args
            self.env = env
            self.cwd = cwd
            self.terminal = terminal
            self.user = user
        }
    }

    public struct ConsoleSize: Codable, Equatable, Sendable {
        public var height: UInt16
        public var width: UInt16
    }

    public struct User: Codable, Equatable, Sendable {
        public var uid: UInt32
        public var gid: UInt32
        public var umask: UInt32?
        public var additionalGids: [UInt32]?

        public init(uid: UInt32 = 0, gid: UInt32 = 0) {
            self.uid = uid
            self.gid = gid
        }
    }

    /// Capability sets by name (`CAP_CHOWN`); used from Lesson08 on.
    public struct Capabilities: Codable, Equatable, Sendable {
        public var bounding: [String]?
        public var effective: [String]?
        public var inheritable: [String]?
        public var permitted: [String]?
        public var ambient: [String]?

        public init(bounding: [String]? = nil, effective: [String]? = nil, inheritable: [String]? = nil,
                    permitted: [String]? = nil, ambient: [String]? = nil) {
            self.bounding = bounding
            self.effective = effective
            self.inheritable = inheritable
            self.permitted = permitted
            self.ambient = ambient
        }
    }

    public struct Rlimit: Codable, Equatable, Sendable {
        /// `RLIMIT_NOFILE` and so on.
        public var type: String
        public var hard: UInt64
        public var soft: UInt64
    }

    /// `root`: the container's root filesystem, a directory on the host.
    public struct Root: Codable, Equatable, Sendable {
        public var path: String
        public var readonly: Bool?

        public init(path: String, readonly: Bool? = nil) {
            self.path = path
            self.readonly = readonly
        }
    }

    /// One entry of `mounts`: mounted in the order given, after the root is prepared.
    public struct Mount: Codable, Equatable, Sendable {
        /// Absolute path inside the container.
        public var destination: String
        /// The filesystem type (`proc`, `tmpfs`, `bind`...).
        public var type: String?
        public var source: String?
        /// mount(8)-style options: flag words (`nosuid`, `ro`) and data (`mode=755`).
        public var options: [String]?

        public init(destination: String, type: String?, source: String?, options: [String]? = nil) {
            self.destination = destination
            self.type = type
            self.source = source
            self.options = options
        }
    }

    /// `linux`: the Linux-specific part.
    public struct Linux: Codable, Equatable, Sendable {
        public var namespaces: [Namespace]?
        /// Limits, applied through cgroups (Spec+Resources.swift).
        public var resources: Resources?
        /// The cgroup path to use; minidock puts its own under a `minidock` parent.
        public var cgroupsPath: String?
        public var maskedPaths: [String]?
        public var readonlyPaths: [String]?
        /// Kernel parameters of the container's namespaces (`net.ipv4.ip_forward`).
        public var sysctl: [String: String]?

        public init(namespaces: [Namespace]? = nil, resources: Resources? = nil,
                    maskedPaths: [String]? = nil, readonlyPaths: [String]? = nil) {
            self.namespaces = namespaces
            self.resources = resources
            self.maskedPaths = maskedPaths
            self.readonlyPaths = readonlyPaths
        }
    }

    /// One entry of `linux.namespaces`: a new namespace of `type`, or, with `path`,
    /// an existing one to join (`/proc/PID/ns/net`).
    public struct Namespace: Codable, Equatable, Sendable {
        public var type: NamespaceType
        public var path: String?

        public init(type: NamespaceType, path: String? = nil) {
            self.type = type
            self.path = path
        }
    }

    /// The spec's namespace type names.
    public enum NamespaceType: String, Codable, CaseIterable, Sendable {
        case pid, network, mount, ipc, uts, user, cgroup, time
    }
}
