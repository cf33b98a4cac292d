import CShim
#if canImport(Glibc)
import Glibc
#endif

/// Linux capabilities: root's powers cut into pieces (`CAP_NET_ADMIN`, `CAP_SYS_ADMIN`…), so a
/// container's root can keep a few (binding port 80, chown) and lose the ones that reach the
/// host (loading modules, mounting, raw I/O).
///
/// Five sets per process: *bounding* (the most it can ever gain), *permitted*, *effective*
/// (what the kernel checks), *inheritable* and *ambient* (what survives execve for a program
/// without file capabilities). The spec names each set; `apply` makes the process hold exactly
/// those, in the order the kernel allows: the bounding set is cut first (that needs
/// CAP_SETPCAP, still held), then — after the switch to the spec's user — capset(2) sets the
/// other three at once, then the ambient ones are raised.
public enum Capabilities {
    /// The C names, by number (linux/capability.h).
    public static let names = [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_SETGID",
        "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN",
        "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE",
        "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME",
        "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP",
        "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ",
        "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
    ]

    /// A set of names as a bit mask; an unknown name is an error naming it.
    public static func mask(_ set: [String]?, field: String) throws -> UInt64 {
        var mask: UInt64 = 0
        for name in set ?? [] {
            guard let number = names.firstIndex(of: name) else {
                throw RuntimeError("\(field): unknown capability \(quoted(name))")
            }
            mask |= 1 << UInt64(number)
        }
        return mask
    }

    /// Cut the bounding set to `capabilities.bounding` (before the user changes).
    public static func limitBounding(_ capabilities: Spec.Capabilities) throws {
        let keep = try mask(capabilities.bounding, field: "process.capabilities.bounding")
        let last = min(Int(cshim_last_capability()), names.count - 1)
        for number in 0...last where keep & (1 << UInt64(number)) == 0 {
            try Syscall.call("prctl", ["PR_CAPBSET_DROP", names[number]], subject: names[number], traced: false) {
                cshim_drop_bounding(Int32(number))
            }
        }
        Trace.emit("prctl(PR_CAPBSET_DROP, …) = 0 for every capability but \(capabilities.bounding ?? [])")
    }

    /// Set permitted, effective and inheritable, then raise the ambient ones (after the user changes).
    public static func apply(_ capabilities: Spec.Capabilities) throws {
        let effective = try mask(capabilities.effective, field: "process.capabilities.effective")
        let permitted = try mask(capabilities.permitted, field: "process.capabilities.permitted")
        let inheritable = try mask(capabilities.inheritable, field: "process.capabilities.inheritable")
        try Syscall.call("capset", ["{_LINUX_CAPABILITY_VERSION_3, 0}", "{effective=\(capabilities.effective ?? []), permitted=…, inheritable=…}"],
                         subject: "process.capabilities") { cshim_capset(effective, permitted, inheritable) }
        // The kernel lets a capability into the ambient set only when it is both permitted and
        // inheritable; engines list ambient ones without inheritable (crun's spec does), and
        // runtimes skip those rather than fail: so do we.
        for name in capabilities.ambient ?? [] {
            let bit = try mask([name], field: "process.capabilities.ambient")
            guard permitted & bit != 0, inheritable & bit != 0 else { continue }
            let number = Int32(bit.trailingZeroBitCount)
            try Syscall.call("prctl", ["PR_CAP_AMBIENT", "PR_CAP_AMBIENT_RAISE", name], subject: name) { cshim_raise_ambient(number) }
        }
    }
}
