import CShim

/// Which cgroup layout the host has. Detected the way runc and systemd do it, from the
/// filesystem type of /sys/fs/cgroup and of /sys/fs/cgroup/unified.
public enum CgroupMode: String, Sendable {
    /// One cgroup2 tree at /sys/fs/cgroup: what most current hosts have.
    case unified = "v2"
    /// v1 controllers under /sys/fs/cgroup/<controller>, and no v2 tree.
    case legacy = "v1"
    /// v1 controllers plus a cgroup2 tree at /sys/fs/cgroup/unified (this project's VMs).
    case hybrid = "hybrid"

    /// statfs f_type of cgroup2 (CGROUP2_SUPER_MAGIC in <linux/magic.h>).
    static let cgroup2Magic = 0x6367_7270

    public static func detect(root: String = "/sys/fs/cgroup") -> CgroupMode {
        if filesystemType(root) == cgroup2Magic { return .unified }
        if filesystemType(root + "/unified") == cgroup2Magic { return .hybrid }
        return .legacy
    }

    /// The version number Docker's `info` prints as "Cgroup Version" (a hybrid host is "1").
    public var dockerVersion: String { self == .unified ? "2" : "1" }

    static func filesystemType(_ path: String) -> Int? {
        let type = cshim_filesystem_type(path)
        return type == -1 ? nil : type
    }
}
