extension Spec {
    /// The PATH a container gets when its image says nothing: Docker's default.
    public static let defaultPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

    /// The filesystems every Linux container gets, as `runc spec` writes them:
    /// its own /proc, a tmpfs /dev with a devpts and a shm, an mqueue, and /sys read-only.
    /// Order matters: /dev before /dev/pts, which is mounted inside it.
    public static let defaultMounts: [Mount] = [
        Mount(destination: "/proc", type: "proc", source: "proc",
              options: ["nosuid", "noexec", "nodev"]),
        Mount(destination: "/dev", type: "tmpfs", source: "tmpfs",
              options: ["nosuid", "strictatime", "mode=755", "size=65536k"]),
        Mount(destination: "/dev/pts", type: "devpts", source: "devpts",
              options: ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]),
        Mount(destination: "/dev/shm", type: "tmpfs", source: "shm",
              options: ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]),
        Mount(destination: "/dev/mqueue", type: "mqueue", source: "mqueue",
              options: ["nosuid", "noexec", "nodev"]),
        Mount(destination: "/sys", type: "sysfs", source: "sysfs",
              options: ["nosuid", "noexec", "nodev", "ro"]),
    ]

    /// A container spec with the usual namespaces and mounts: what Lesson03 builds and
    /// what `minidock run` starts from.
    public static func container(args: [String], rootfs: String, hostname: String,
                                 namespaces: [NamespaceType] = [.pid, .ipc, .uts, .mount]) -> Spec {
        Spec(
            process: Process(args: args, env: [defaultPath, "HOSTNAME=\(hostname)", "TERM=xterm"], cwd: "/"),
            root: Root(path: rootfs, readonly: false),
            hostname: hostname,
            mounts: defaultMounts,
            linux: Linux(namespaces: namespaces.map { Namespace(type: $0) })
        )
    }
}
