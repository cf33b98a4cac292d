import SystemPackage

/// The spec's `mounts`, made inside the rootfs before pivot_root.
///
/// Done before the pivot because the sources of bind mounts are host paths. /proc must be
/// mounted by a process inside the new PID namespace — the child — so that it lists that
/// namespace's processes, with the child as PID 1.
public enum SpecMounts {
    public static func mountAll(_ mounts: [Spec.Mount], under rootfs: FilePath) throws {
        for mount in mounts {
            try self.mount(mount, under: rootfs)
        }
    }

    public static func mount(_ mount: Spec.Mount, under rootfs: FilePath) throws {
        guard mount.destination.hasPrefix("/") else {
            throw RuntimeError("mount destination \(quoted(mount.destination)): must be an absolute path")
        }
        let target = rootfs.appending(FilePath(mount.destination).components)
        let options = MountOptions(mount.options ?? [])
        let isBind = mount.type == "bind" || options.flags.contains(.bind)
        var flags = options.flags
        if isBind { flags.insert(.bind) }
        // The mount point: most live in a tmpfs we just mounted (/dev/pts inside /dev),
        // the rest (/proc, /sys) are normally in the image already.
        try Directories.create(target)
        // A bind mount ignores every flag but MS_BIND|MS_REC on its first call; read-only
        // and friends need a remount (mount(2), "Creating a bind mount").
        try Mount.mount(source: mount.source, target: target, type: isBind ? nil : mount.type,
                        flags: isBind ? flags.intersection([.bind, .recursive]) : flags,
                        data: options.data.isEmpty ? nil : options.data)
        let remountable = flags.subtracting([.bind, .recursive])
        if isBind && !remountable.isEmpty {
            try Mount.mount(source: nil, target: target, type: nil, flags: remountable.union([.bind, .remount]))
        }
        if !options.propagation.isEmpty {
            try Mount.mount(source: nil, target: target, type: nil, flags: options.propagation)
        }
    }
}
