extension Spec {
    /// What `minidock-runc spec` writes, as `runc spec` does: a shell on a terminal, in every
    /// namespace but the user's, with three capabilities, no new privileges, a read-only root,
    /// and /proc's and /sys's dangerous parts masked or read-only.
    public static func runtimeDefault(rootfs: String = "rootfs") -> Spec {
        let kept = ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]
        var process = Process(args: ["sh"], env: [defaultPath, "TERM=xterm"], cwd: "/", terminal: true, user: User())
        process.capabilities = Capabilities(bounding: kept, effective: kept, permitted: kept)
        process.rlimits = [Rlimit(type: "RLIMIT_NOFILE", hard: 1024, soft: 1024)]
        process.noNewPrivileges = true
        var spec = Spec(process: process, root: Root(path: rootfs, readonly: true), hostname: "minidock",
                        mounts: defaultMounts,
                        linux: Linux(namespaces: [.pid, .network, .ipc, .uts, .mount].map { Namespace(type: $0) },
                                     maskedPaths: ["/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
                                                   "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware",
                                                   "/proc/scsi"],
                                     readonlyPaths: ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]))
        spec.ociVersion = version
        return spec
    }
}
