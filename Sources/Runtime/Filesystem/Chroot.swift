#if canImport(Glibc)
import Glibc
#endif
import SystemPackage

/// chroot(2): change what `/` means for path lookups of this process — and nothing else.
///
/// It is not a security boundary: the process keeps its mounts, its view of every other
/// process, and its working directory, which may lie outside the new root. A root process
/// can chroot again into a subdirectory while its working directory stays outside, then walk
/// `..` up past the old root. Lesson02 shows that breakout; pivot_root (PivotRoot.swift) is the fix.
public enum Chroot {
    public static func enter(_ root: FilePath) throws {
        try Syscall.call("chroot", [quoted(root.string)], subject: quoted(root.string)) { chroot(root.string) }
        try Syscall.call("chdir", [quoted("/")], subject: quoted("/")) { chdir("/") }
    }
}
