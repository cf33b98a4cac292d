import CShim
#if canImport(Glibc)
import Glibc
#endif
import SystemPackage

/// pivot_root(2): swap the root *mount* of this mount namespace, then detach the old one.
///
/// Unlike chroot, this changes the mount tree itself. Once the old root is unmounted
/// there is no path, no `..` and no file descriptor left in this namespace that leads
/// to the host's filesystem.
public enum PivotRoot {
    /// Make `newRoot` this mount namespace's `/`.
    ///
    /// Preconditions, in this order: a private mount namespace (`Mount.makeEverythingPrivate`),
    /// and `newRoot` a mount point (`Mount.bindOntoItself`).
    ///
    /// It uses the `pivot_root(".", ".")` idiom: with both arguments the new root, the old
    /// root ends up mounted on top of the new one, at `/`, and one lazy unmount removes it.
    /// No directory for the old root has to be created in the image.
    public static func pivot(into newRoot: FilePath) throws {
        try Syscall.call("chdir", [quoted(newRoot.string)], subject: quoted(newRoot.string)) { chdir(newRoot.string) }
        try Syscall.call("pivot_root", [quoted("."), quoted(".")], subject: quoted(newRoot.string)) {
            cshim_pivot_root(".", ".")
        }
        // MNT_DETACH: processes or open files may still use the old root; detach it from
        // the tree now and let the kernel free it when they are gone.
        try Mount.unmount(".", flags: .detach)
        try Syscall.call("chdir", [quoted("/")], subject: quoted("/")) { chdir("/") }
    }
}
