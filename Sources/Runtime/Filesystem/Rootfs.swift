import SystemPackage

/// A root filesystem: a directory on the host that becomes a container's `/`.
public enum Rootfs {
    /// Refuse a rootfs that cannot work, before any process or mount exists:
    /// a path that is missing, is not a directory, or is empty.
    public static func validate(_ path: FilePath) throws {
        guard path.isAbsolute else {
            throw RuntimeError("rootfs \(quoted(path.string)): must be an absolute path")
        }
        guard Directories.isDirectory(path) else {
            throw RuntimeError("rootfs \(quoted(path.string)): no such directory")
        }
        if try Directories.entries(path).isEmpty {
            throw RuntimeError("rootfs \(quoted(path.string)): directory is empty")
        }
    }
}
