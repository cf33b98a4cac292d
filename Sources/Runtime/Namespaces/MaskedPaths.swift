#if canImport(Glibc)
import Glibc
#endif
import SystemPackage

/// `linux.maskedPaths` and `linux.readonlyPaths`: parts of /proc and /sys a container must not
/// read (`/proc/kcore`, the host's memory) or write (`/proc/sys`, `/proc/sysrq-trigger`), hidden
/// or frozen after pivot_root. A masked file gets /dev/null bound over it, a masked directory an
/// empty read-only tmpfs; a read-only path is bound onto itself and remounted read-only. A path
/// the container does not have is skipped, as runc does. Each is resolved inside the (new) root
/// and mounted on through its descriptor.
public enum MaskedPaths {
    public static func apply(masked: [String], readonly: [String]) throws {
        let root = try RootDirectory("/")
        for path in masked {
            guard let target = try existing(path, in: root) else { continue }
            defer { close(target) }
            var info = stat()
            fstat(target, &info)
            if info.st_mode & S_IFMT == S_IFDIR {
                try Mount.mount(source: "tmpfs", onto: target, named: path, type: "tmpfs", flags: .readOnly)
            } else {
                try Mount.mount(source: "/dev/null", onto: target, named: path, type: nil, flags: .bind)
            }
        }
        for path in readonly {
            guard let target = try existing(path, in: root) else { continue }
            defer { close(target) }
            try Mount.mount(source: "/proc/self/fd/\(target)", onto: target, named: path, type: nil, flags: [.bind, .recursive])
            let mounted = try root.open(path, O_PATH)
            defer { close(mounted) }
            try Mount.mount(source: nil, onto: mounted, named: path, type: nil,
                            flags: [.bind, .recursive, .remount, .readOnly, .noSetuid, .noDevices, .noExec])
        }
    }

    private static func existing(_ path: String, in root: RootDirectory) throws -> Int32? {
        do {
            return try root.open(path, O_PATH)
        } catch let error as RuntimeError where error.errno == .noSuchFileOrDirectory || error.errno == .notDirectory {
            return nil
        }
    }
}

/// `linux.sysctl`: kernel parameters written under /proc/sys — only those that belong to one of
/// the container's own namespaces. Any other (`kernel.core_pattern`, `vm.*`) is the host's, and
/// the container's /proc/sys would change it for everyone: refused.
public enum Sysctl {
    static let ipc: Set<String> = ["kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem", "kernel.shmall",
                                   "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced"]

    /// Refuse, before anything is made, a parameter that is not namespaced by one of `namespaces`.
    public static func validate(_ settings: [String: String], namespaces: Set<Spec.NamespaceType>) throws {
        for key in settings.keys.sorted() {
            let namespace: Spec.NamespaceType?
            if ipc.contains(key) || key.hasPrefix("fs.mqueue.") { namespace = .ipc }
            else if key.hasPrefix("net.") { namespace = .network }
            else if key == "kernel.hostname" || key == "kernel.domainname" { namespace = .uts }
            else { namespace = nil }
            guard let namespace else {
                throw RuntimeError("linux.sysctl: \(quoted(key)) is not namespaced: it would change the host")
            }
            guard namespaces.contains(namespace) else {
                throw RuntimeError("linux.sysctl: \(quoted(key)) needs the container's own \(namespace.rawValue) namespace")
            }
            guard !key.contains(".."), !key.contains("/") else { throw RuntimeError("linux.sysctl: invalid name \(quoted(key))") }
        }
    }

    /// Write them (inside the container, after pivot_root: its own /proc).
    public static func apply(_ settings: [String: String]) throws {
        for (key, value) in settings.sorted(by: { $0.key < $1.key }) {
            let path = "/proc/sys/" + String(key.map { $0 == "." ? "/" : $0 })
            try FileContents.write(Array(value.utf8), to: FilePath(path))
        }
    }
}
