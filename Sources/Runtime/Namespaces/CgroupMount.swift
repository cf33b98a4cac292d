#if canImport(Glibc)
import Glibc
#endif
import SystemPackage

/// A spec mount of type `cgroup` (engines ask for one at /sys/fs/cgroup, read-only): the
/// container's *own* cgroups, not the host's tree.
///
/// Which cgroups are its own, the kernel says in /proc/self/cgroup — the child has joined them
/// before it prepares. On a v1 or hybrid host that is a tmpfs with one directory per hierarchy
/// (`memory`, `cpu,cpuacct` with its `cpu` and `cpuacct` links, `unified`), each the bind mount
/// of the container's cgroup in that hierarchy; on a v2 host, the container's cgroup directory
/// itself. Read-only when the mount asks for `ro`, as engines do.
enum CgroupMount {
    static func mount(_ mount: Spec.Mount, in rootfs: RootDirectory, readOnly: Bool, hostRoot: String = "/sys/fs/cgroup") throws {
        let destination = mount.destination
        close(try rootfs.makeDirectories(destination))
        let named = rootfs.display(destination)
        let memberships = try FileContents.readString("/proc/self/cgroup").split(separator: "\n").compactMap { line -> (String, String)? in
            let fields = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            return fields.count == 3 ? (String(fields[1]), String(fields[2])) : nil
        }
        let mode = CgroupMode.detect()
        if mode == .unified, let own = memberships.first(where: { $0.0.isEmpty }) {
            try bind(hostRoot + own.1, onto: destination, in: rootfs, readOnly: readOnly)
            return
        }
        let target = try rootfs.open(destination, O_PATH | O_DIRECTORY, traced: true)
        try Mount.mount(source: "tmpfs", onto: target, named: named, type: "tmpfs", flags: [.noSetuid, .noDevices, .noExec], data: "mode=755")
        close(target)
        for (controllers, path) in memberships {
            // `cpu,cpuacct`, `name=systemd` (its directory is `systemd`), or "" (the v2 tree: `unified`).
            let directory = controllers.isEmpty ? "unified" : controllers.hasPrefix("name=") ? String(controllers.dropFirst(5)) : controllers
            let host = hostRoot + "/" + directory + path
            guard Directories.isDirectory(FilePath(host)) else { continue }
            try bind(host, onto: destination + "/" + directory, in: rootfs, readOnly: readOnly)
            for single in controllers.split(separator: ",") where controllers.contains(",") {
                try rootfs.makeSymlink(destination + "/" + single, to: directory)
            }
        }
        if readOnly {
            let mounted = try rootfs.open(destination, O_PATH | O_DIRECTORY)
            defer { close(mounted) }
            try Mount.mount(source: nil, onto: mounted, named: named, type: nil, flags: [.remount, .readOnly, .noSetuid, .noDevices, .noExec])
        }
    }

    private static func bind(_ host: String, onto destination: String, in rootfs: RootDirectory, readOnly: Bool) throws {
        close(try rootfs.makeDirectories(destination))
        let target = try rootfs.open(destination, O_PATH | O_DIRECTORY)
        defer { close(target) }
        let named = rootfs.display(destination)
        try Mount.mount(source: host, onto: target, named: named, type: nil, flags: [.bind, .recursive])
        if readOnly {
            let mounted = try rootfs.open(destination, O_PATH | O_DIRECTORY)
            defer { close(mounted) }
            try Mount.mount(source: nil, onto: mounted, named: named, type: nil, flags: [.bind, .recursive, .remount, .readOnly, .noSetuid, .noDevices, .noExec])
        }
    }
}
