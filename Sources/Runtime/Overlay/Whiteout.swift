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

    /// Create the overlay whiteout for `relative` in `layer` (it must not exist yet). Resolved
    /// inside the layer: a layer whose `evil -> /etc` precedes `evil/.wh.passwd` must not get a
    /// device node made in the host's /etc (with a `.refuse` layer it is an error).
    public static func create(_ relative: String, in layer: RootDirectory) throws {
        try layer.makeNode(relative, mode: S_IFCHR, device: cshim_makedev(0, 0),
                           spelledMode: "S_IFCHR|0000", spelledDevice: "makedev(0, 0)")
    }

    /// Mark the directory `relative` of `layer` opaque: the layers below contribute nothing to it.
    public static func markOpaque(_ relative: String, in layer: RootDirectory) throws {
        close(try layer.makeDirectories(relative))
        try layer.setAttribute(relative, name: opaqueAttribute, value: "y")
    }

    /// Whether `directory` (a path a tree walk reached, with no symlink in it) is opaque.
    public static func isOpaque(_ directory: FilePath) -> Bool {
        var value: UInt8 = 0
        return cshim_lgetxattr(directory.string, opaqueAttribute, &value, 1) == 1 && value == UInt8(ascii: "y")
    }
}

extension Whiteout {
    /// Whether the directory `relative` of `layer` is opaque (resolved inside the layer).
    public static func isOpaque(_ relative: String, in layer: RootDirectory) -> Bool {
        layer.attribute(relative, name: opaqueAttribute) == [UInt8(ascii: "y")]
    }
}
