#if canImport(Glibc)
import Glibc
#endif
import SystemPackage

/// mount(2) and umount2(2) through the syscall gate, traced as C would write them.
public enum Mount {
    public static func mount(source: String?, target: FilePath, type: String?,
                             flags: MountFlags, data: String? = nil) throws {
        let spelled = [source.map(quoted) ?? "NULL", quoted(target.string), type.map(quoted) ?? "NULL",
                       flags.cSpelling, data.map(quoted) ?? "NULL"]
        let subject = "\(quoted(source ?? type ?? "none")) on \(quoted(target.string))"
        try Syscall.call("mount", spelled, subject: subject) {
            Glibc.mount(source, target.string, type, flags.rawValue, data)
        }
    }

    /// Mount onto a directory or file already resolved and opened (`RootDirectory`), through
    /// its `/proc/self/fd/N` name: the kernel mounts on what the descriptor holds, so nothing
    /// in the image can swap the path between the check and the mount. `named` is the path
    /// for the error message.
    public static func mount(source: String?, onto descriptor: Int32, named: String, type: String?,
                             flags: MountFlags, data: String? = nil) throws {
        let target = "/proc/self/fd/\(descriptor)"
        let spelled = [source.map(quoted) ?? "NULL", quoted(target), type.map(quoted) ?? "NULL",
                       flags.cSpelling, data.map(quoted) ?? "NULL"]
        let subject = "\(quoted(source ?? type ?? "none")) on \(quoted(named))"
        try Syscall.call("mount", spelled, subject: subject) {
            Glibc.mount(source, target, type, flags.rawValue, data)
        }
    }

    public static func unmount(_ target: FilePath, flags: UnmountFlags = []) throws {
        try Syscall.call("umount2", [quoted(target.string), flags.cSpelling], subject: quoted(target.string)) {
            umount2(target.string, flags.rawValue)
        }
    }

    /// Stop mount events propagating between this mount namespace and the host's.
    ///
    /// A new mount namespace starts as a copy of its parent's, and on a systemd host `/` is
    /// a *shared* mount: without this, every mount the container makes would appear on the
    /// host too, and pivot_root refuses to work on a shared mount. It must come first.
    public static func makeEverythingPrivate() throws {
        try mount(source: nil, target: "/", type: nil, flags: [.recursive, .private])
    }

    /// Bind-mount `path` onto itself, turning a plain directory into a mount point
    /// (pivot_root's new root must be one).
    public static func bindOntoItself(_ path: FilePath) throws {
        try mount(source: path.string, target: path, type: nil, flags: [.bind, .recursive])
    }
}
