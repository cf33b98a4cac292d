extension Spec {
    /// `linux.resources`: what a container may use. Field names and units are the spec's:
    /// bytes for memory, microseconds for CPU quota and period, a share weight.
    public struct Resources: Codable, Equatable, Sendable {
        public var memory: Memory?
        public var cpu: CPU?
        public var pids: Pids?
        /// The device cgroup's rules, in order (DeviceRules.swift).
        public var devices: [DeviceRule]?

        public init(memory: Memory? = nil, cpu: CPU? = nil, pids: Pids? = nil) {
            self.memory = memory
            self.cpu = cpu
            self.pids = pids
        }

        public var isEmpty: Bool { memory == nil && cpu == nil && pids == nil && devices == nil }
    }

    public struct Memory: Codable, Equatable, Sendable {
        /// Hard limit in bytes; past it the kernel reclaims, then OOM-kills.
        public var limit: Int64?
        /// Soft limit in bytes: what the kernel tries to leave the container under pressure.
        public var reservation: Int64?
        /// Memory *plus* swap, in bytes (not swap alone); -1 for unlimited swap.
        public var swap: Int64?

        public init(limit: Int64? = nil, reservation: Int64? = nil, swap: Int64? = nil) {
            self.limit = limit
            self.reservation = reservation
            self.swap = swap
        }
    }

    public struct CPU: Codable, Equatable, Sendable {
        /// Relative weight (Docker's `--cpu-shares`, default 1024).
        public var shares: UInt64?
        /// Microseconds of CPU time allowed per `period` (Docker's `--cpus` × period).
        public var quota: Int64?
        public var period: UInt64?
        /// CPUs and memory nodes allowed, in list form: `0-1`, `0,2`.
        public var cpus: String?
        public var mems: String?

        public init(shares: UInt64? = nil, quota: Int64? = nil, period: UInt64? = nil,
                    cpus: String? = nil, mems: String? = nil) {
            self.shares = shares
            self.quota = quota
            self.period = period
            self.cpus = cpus
            self.mems = mems
        }
    }

    /// One rule of `linux.resources.devices`: allow or deny access (`r`ead, `w`rite, `m`knod)
    /// to character (`c`) or block (`b`) devices, or all (`a`); a missing number is any.
    public struct DeviceRule: Codable, Equatable, Sendable {
        public var allow: Bool
        public var type: String?
        public var major: Int64?
        public var minor: Int64?
        public var access: String?

        public init(allow: Bool, type: String? = nil, major: Int64? = nil, minor: Int64? = nil, access: String? = nil) {
            self.allow = allow
            self.type = type
            self.major = major
            self.minor = minor
            self.access = access
        }
    }

    public struct Pids: Codable, Equatable, Sendable {
        /// Maximum number of processes (tasks); 0 or less for no limit.
        public var limit: Int64

        public init(limit: Int64) { self.limit = limit }
    }
}
