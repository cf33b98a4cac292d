#if canImport(Glibc)
import Glibc
#endif
import SystemPackage

/// Everything a container's first process does to its filesystem view before exec, in
/// the order Lesson03 teaches it. Runs inside the child, in its new namespaces.
public enum ContainerFilesystem {
    /// With `overlay` (Lesson05 on), the root is that overlay mounted on `root.path`;
    /// without, `root.path` is a plain directory (Lesson03).
    /// `beforePivot` runs in the container's namespaces with its mounts made, while host paths
    /// still resolve (the runtime layer's createContainer hooks).
    public static func prepare(_ spec: Spec, overlay: OverlayLayout? = nil, beforePivot: () throws -> Void = {}) throws {
        guard let rootPath = spec.root?.path else { throw RuntimeError("root.path: no root filesystem given") }
        let rootfs = FilePath(rootPath)
        // 1. Our mounts stay ours (and pivot_root accepts no shared mount) — before the
        //    overlay is mounted, or it would show up on the host. The root must be a mount
        //    point for pivot_root: an overlay is one; a plain directory is bound onto itself.
        try Mount.makeEverythingPrivate()
        if let overlay {
            try overlay.mount()
        } else {
            try Mount.bindOntoItself(rootfs)
        }
        // 2. The spec's mounts, under the rootfs while host paths still resolve. /proc is
        //    mounted from inside the new PID namespace, so it lists only the container. Every
        //    path in the image is resolved inside it (opened after the root's own mount, so
        //    the descriptor holds the overlay, not the directory under it).
        let root = try RootDirectory(rootfs)
        try SpecMounts.mountAll(spec.mounts ?? [], in: root)
        // 3. The few device nodes a container gets, in the tmpfs now on /dev.
        if spec.mounts?.contains(where: { $0.destination == "/dev" && $0.type == "tmpfs" }) == true {
            try DeviceNodes.create(in: root)
        }
        try beforePivot()
        // 4. Swap the root mount and detach the host's; then what must happen inside it.
        try PivotRoot.pivot(into: rootfs)
        //    The working directory is made if the image lacks it (as Docker does), now that
        //    `/` is the container's own — and before a read-only root would refuse it.
        if let cwd = spec.process?.cwd, cwd != "/" {
            close(try RootDirectory("/").makeDirectories(cwd))
        }
        if spec.root?.readonly == true { try ReadonlyRoot.apply() }
        // 5. The hostname, in the container's own UTS namespace.
        if let hostname = spec.hostname { try Hostname.set(hostname) }
    }
}
