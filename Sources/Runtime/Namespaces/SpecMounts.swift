#if canImport(Glibc)
import Glibc
#endif
import SystemPackage

/// The spec's `mounts`, made inside the rootfs before pivot_root.
///
/// Done before the pivot because the sources of bind mounts are host paths. /proc must be
/// mounted by a process inside the new PID namespace — the child — so that it lists that
/// namespace's processes, with the child as PID 1.
///
/// Each destination is resolved *inside* the rootfs (`RootDirectory`): an image whose `/dev`
/// is a symlink to `/` gets its tmpfs on its own root, never on the host's. The mount point
/// is opened first and the mount made on that descriptor.
public enum SpecMounts {
    public static func mountAll(_ mounts: [Spec.Mount], in rootfs: RootDirectory) throws {
        for mount in mounts {
            try self.mount(mount, in: rootfs)
        }
    }

    public static func mount(_ mount: Spec.Mount, in rootfs: RootDirectory) throws {
        guard mount.destination.hasPrefix("/") else {
            throw RuntimeError("mount destination \(quoted(mount.destination)): must be an absolute path")
        }
        let options = MountOptions(mount.options ?? [])
        if mount.type == "cgroup" || mount.type == "cgroup2" {
            return try CgroupMount.mount(mount, in: rootfs, readOnly: options.flags.contains(.readOnly))
        }
        let isBind = mount.type == "bind" || options.flags.contains(.bind)
        var flags = options.flags
        if isBind { flags.insert(.bind) }
        // The mount point: most live in a tmpfs we just mounted (/dev/pts inside /dev), the
        // rest (/proc, /sys) are normally in the image already. A file bound needs a file.
        let target: Int32
        if isBind, let source = mount.source, !Directories.isDirectory(FilePath(source)) {
            target = try rootfs.makeFile(mount.destination)
        } else {
            close(try rootfs.makeDirectories(mount.destination))
            target = try rootfs.open(mount.destination, O_PATH | O_DIRECTORY, traced: true)
        }
        defer { close(target) }
        let named = rootfs.display(mount.destination)
        // A bind mount ignores every flag but MS_BIND|MS_REC on its first call; read-only
        // and friends need a remount (mount(2), "Creating a bind mount").
        try Mount.mount(source: mount.source, onto: target, named: named, type: isBind ? nil : mount.type,
                        flags: isBind ? flags.intersection([.bind, .recursive]) : flags,
                        data: options.data.isEmpty ? nil : options.data)
        // What is mounted now covers the descriptor's directory: the remounts name the mount
        // itself, reached through the (same, already resolved) path.
        let mounted = try rootfs.open(mount.destination, O_PATH)
        defer { close(mounted) }
        let remountable = flags.subtracting([.bind, .recursive])
        if isBind && !remountable.isEmpty {
            try Mount.mount(source: nil, onto: mounted, named: named, type: nil, flags: remountable.union([.bind, .remount]))
        }
        if !options.propagation.isEmpty {
            try Mount.mount(source: nil, onto: mounted, named: named, type: nil, flags: options.propagation)
        }
    }
}
