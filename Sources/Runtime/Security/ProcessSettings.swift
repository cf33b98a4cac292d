import CShim
#if canImport(Glibc)
import Glibc
#endif
import SystemPackage

/// The spec's `process` settings a container's first process takes on itself just before
/// execve, after pivot_root: limits, OOM score, user and groups, capabilities, no_new_privs,
/// umask. The order matters and is runc's: rlimits and the OOM score while still privileged;
/// the bounding set cut while CAP_SETPCAP is still held; PR_SET_KEEPCAPS so the permitted set
/// survives setuid away from 0; groups, then gid, then uid (after setuid, setgid is refused);
/// then the capability sets; no_new_privs last (it does not stop the steps before).
public enum ProcessSettings {
    public static func apply(_ process: Spec.Process) throws {
        try applyLimits(process)
        try applyIdentity(process)
    }

    /// Limits and the OOM score: while still privileged, and before a runtime's `create`
    /// returns, so that a limit the kernel refuses is `create`'s error.
    public static func applyLimits(_ process: Spec.Process) throws {
        for limit in process.rlimits ?? [] { try ResourceLimits.set(limit) }
        if let score = process.oomScoreAdj {
            guard (-1000...1000).contains(score) else {
                throw RuntimeError("process.oomScoreAdj \(score): must be from -1000 to 1000")
            }
            try FileContents.write(Array("\(score)".utf8), to: "/proc/self/oom_score_adj")
        }
    }

    /// User, groups, capabilities, no_new_privs, umask: last before exec.
    public static func applyIdentity(_ process: Spec.Process) throws {
        if let capabilities = process.capabilities { try Capabilities.limitBounding(capabilities) }
        let user = process.user ?? Spec.User()
        if process.capabilities != nil && user.uid != 0 {
            try Syscall.call("prctl", ["PR_SET_KEEPCAPS", "1"], subject: "PR_SET_KEEPCAPS") { cshim_keep_capabilities() }
        }
        let groups = (user.additionalGids ?? []).map { gid_t($0) }
        try Syscall.call("setgroups", ["\(groups.count)", "\(groups)"], subject: "\(groups)") {
            groups.withUnsafeBufferPointer { setgroups($0.count, $0.baseAddress) }
        }
        try Syscall.call("setgid", ["\(user.gid)"], subject: "\(user.gid)") { setgid(user.gid) }
        try Syscall.call("setuid", ["\(user.uid)"], subject: "\(user.uid)") { setuid(user.uid) }
        if let capabilities = process.capabilities { try Capabilities.apply(capabilities) }
        if process.noNewPrivileges == true {
            try Syscall.call("prctl", ["PR_SET_NO_NEW_PRIVS", "1"], subject: "PR_SET_NO_NEW_PRIVS") { cshim_no_new_privileges() }
        }
        if let mask = user.umask { umask(mode_t(mask)) }
    }
}

/// `process.rlimits`: setrlimit(2) by the spec's names (`RLIMIT_NOFILE`).
public enum ResourceLimits {
    static let resources: [String: Int32] = [
        "RLIMIT_CPU": 0, "RLIMIT_FSIZE": 1, "RLIMIT_DATA": 2, "RLIMIT_STACK": 3, "RLIMIT_CORE": 4, "RLIMIT_RSS": 5,
        "RLIMIT_NPROC": 6, "RLIMIT_NOFILE": 7, "RLIMIT_MEMLOCK": 8, "RLIMIT_AS": 9, "RLIMIT_LOCKS": 10,
        "RLIMIT_SIGPENDING": 11, "RLIMIT_MSGQUEUE": 12, "RLIMIT_NICE": 13, "RLIMIT_RTPRIO": 14, "RLIMIT_RTTIME": 15,
    ]

    public static func set(_ limit: Spec.Rlimit) throws {
        guard let resource = resources[limit.type] else {
            throw RuntimeError("process.rlimits: unknown limit \(quoted(limit.type))")
        }
        guard limit.soft <= limit.hard else {
            throw RuntimeError("process.rlimits: \(limit.type): soft limit \(limit.soft) is above the hard limit \(limit.hard)")
        }
        var value = rlimit(rlim_cur: rlim_t(limit.soft), rlim_max: rlim_t(limit.hard))
        // Raising a hard limit needs CAP_SYS_RESOURCE: without it the kernel says EPERM, and
        // the message says which limit.
        try Syscall.call("setrlimit", [limit.type, "{\(limit.soft), \(limit.hard)}"], subject: "\(limit.type) {\(limit.soft), \(limit.hard)}") {
            setrlimit(__rlimit_resource_t(UInt32(resource)), &value)
        }
    }
}
