import CShim
#if canImport(Glibc)
import Glibc
#endif
import SystemPackage

/// The minimal /dev a container gets, made in the tmpfs mounted on /dev.
///
/// Only these few devices, not the host's /dev: a container with /dev/sda could write
/// the host's disk. The set is the one the OCI runtime-spec requires ("Default Devices").
public enum DeviceNodes {
    public struct Node: Sendable {
        public let name: String
        public let major: UInt32
        public let minor: UInt32
    }

    public static let defaults: [Node] = [
        Node(name: "null", major: 1, minor: 3), Node(name: "zero", major: 1, minor: 5),
        Node(name: "full", major: 1, minor: 7), Node(name: "random", major: 1, minor: 8),
        Node(name: "urandom", major: 1, minor: 9), Node(name: "tty", major: 5, minor: 0),
    ]

    /// The symlinks that programs expect next to the nodes.
    public static let links: [(name: String, target: String)] = [
        ("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"), ("stdout", "/proc/self/fd/1"),
        ("stderr", "/proc/self/fd/2"), ("ptmx", "pts/ptmx"), ("core", "/proc/kcore"),
    ]

    /// Create the default character devices and links in the rootfs's /dev (the tmpfs just
    /// mounted there), each resolved inside the rootfs.
    public static func create(in rootfs: RootDirectory) throws {
        // The umask would strip the 0666 we ask for.
        let savedMask = umask(0)
        defer { umask(savedMask) }
        for node in defaults {
            try rootfs.makeNode("dev/" + node.name, mode: S_IFCHR | 0o666, device: cshim_makedev(node.major, node.minor),
                                spelledMode: "S_IFCHR|0666", spelledDevice: "makedev(\(node.major), \(node.minor))")
        }
        for link in links {
            try rootfs.makeSymlink("dev/" + link.name, to: link.target)
        }
    }
}
