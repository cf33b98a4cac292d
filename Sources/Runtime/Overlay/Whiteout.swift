import CShim
#if canImport(Glibc)
import Glibc
#endif
import SystemPackage

/// Deletions, in the two spellings a layer can have.
///
/// A layer is a set of changes, so it must be able to say "this file is gone".
/// In an OCI layer *tarball* that is a marker file: `.wh.NAME` deletes NAME, and
/// `.wh..wh..opq` in a directory hides everything the layers below have in it (opaque).
/// In an *overlayfs* layer directory the kernel uses other markers: a character device
/// 0/0 named NAME, and the xattr `trusted.overlay.opaque="y"` on a directory.
/// Unpacking converts the first into the second; packing converts back.
public enum Whiteout {
    public static let prefix = ".wh."
    public static let opaqueMarker = ".wh..wh..opq"
    public static let opaqueAttribute = "trusted.overlay.opaque"

    /// An overlay whiteout: a character device with device number 0/0.
    public static func isWhiteout(_ info: stat) -> Bool {
        info.st_mode & S_IFMT == S_IFCHR && info.st_rdev == 0
    }

    public static func isWhiteout(_ path: FilePath) -> Bool {
        var info = stat()
        return lstat(path.string, &info) == 0 && isWhiteout(info)
    }

    /// Create the overlay whiteout for `path` (which must not exist yet).
    public static func create(at path: FilePath) throws {
        try Directories.create(path.removingLastComponent())
        try Syscall.call("mknod", [quoted(path.string), "S_IFCHR|0000", "makedev(0, 0)"], subject: quoted(path.string)) {
            mknod(path.string, S_IFCHR, cshim_makedev(0, 0))
        }
    }

    /// Mark a directory opaque: the layers below contribute nothing to it.
    public static func markOpaque(_ directory: FilePath) throws {
        try Directories.create(directory)
        try Syscall.call("lsetxattr", [quoted(directory.string), quoted(opaqueAttribute), quoted("y"), "1", "0"],
                         subject: quoted(directory.string)) {
            cshim_lsetxattr(directory.string, opaqueAttribute, "y", 1)
        }
    }

    public static func isOpaque(_ directory: FilePath) -> Bool {
        var value: UInt8 = 0
        return cshim_lgetxattr(directory.string, opaqueAttribute, &value, 1) == 1 && value == UInt8(ascii: "y")
    }
}
