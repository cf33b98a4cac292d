#if canImport(Glibc)
import Glibc
#endif
import SystemPackage

extension Cgroup {
    /// The name of a cgroup owned by `owner`: `<prefix><PID>-<start time>`, so that the next
    /// run can tell for certain whether its owner still runs (a PID alone is recycled).
    public static func name(prefix: String, owner: ProcessIdentity) -> String {
        "\(prefix)\(owner)"
    }

    /// Remove the cgroups named `<prefix><PID>-<start time>` whose process is gone and which
    /// hold no process: what a lesson killed with SIGKILL — which no cleanup code survives —
    /// left behind. The next run reconciles; cgroups of live processes and of other names are
    /// left alone.
    @discardableResult
    public static func removeAbandoned(prefix: String, mode: CgroupMode = .detect(),
                                       root: FilePath = "/sys/fs/cgroup") -> [FilePath] {
        let parents = mode == .unified
            ? [root.appending(parentName)]
            : CgroupV1.controllers.map { root.appending($0).appending(parentName) }
        var removed: [FilePath] = []
        for parent in parents where Directories.isDirectory(parent) {
            for name in (try? Directories.entries(parent)) ?? [] where name.hasPrefix(prefix) {
                guard let owner = ProcessIdentity(exactly: name.dropFirst(prefix.count)), !owner.isAlive else { continue }
                let directory = parent.appending(name)
                guard ((try? CgroupFile.read(directory.appending("cgroup.procs"))) ?? "x").isEmpty else { continue }
                if (try? CgroupFile.removeDirectory(directory)) != nil { removed.append(directory) }
            }
            CgroupFile.removeParentIfUnused(parent)
        }
        return removed
    }
}
