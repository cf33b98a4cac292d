#if canImport(Glibc)
import Glibc
#endif
import SystemPackage

/// A container's cgroup named by the OCI spec's `linux.cgroupsPath`, for the runtime layer:
/// `create` in one process, `pause`, `kill --all`, `delete` in later ones.
///
/// minidock makes cgroups only under its own parent, so the path must be `/minidock/NAME`
/// (engines take a parent: podman's and Docker's `--cgroup-parent=/minidock`, `ctr run
/// --cgroup /minidock/NAME`); without one it is `/minidock/<container id>`. systemd's
/// `slice:prefix:name` form needs the systemd driver, which minidock does not have.
extension Cgroup {
    /// The one path component under minidock's parent that `cgroupsPath` names.
    public static func name(fromPath cgroupsPath: String) throws -> String {
        if cgroupsPath.contains(":") {
            throw RuntimeError("linux.cgroupsPath \(quoted(cgroupsPath)): the systemd form slice:prefix:name needs a systemd cgroup driver, which minidock does not have")
        }
        let parts = cgroupsPath.split(separator: "/").map(String.init)
        guard parts.count == 2, parts[0] == parentName, parts[1] != ".", parts[1] != ".." else {
            throw RuntimeError("linux.cgroupsPath \(quoted(cgroupsPath)): minidock makes cgroups under /\(parentName) only: give /\(parentName)/NAME (an engine's --cgroup-parent=/\(parentName)), or none")
        }
        return parts[1]
    }

    /// Create the cgroup `cgroupsPath` names, with `resources`. It must be new: a cgroup that is
    /// there already is another container's (two containers sharing one would kill each other
    /// on `delete`), or a lesson's.
    public static func create(path cgroupsPath: String, resources: Spec.Resources?, mode: CgroupMode = .detect(),
                              root: FilePath = "/sys/fs/cgroup") throws -> Cgroup {
        if try !open(path: cgroupsPath, mode: mode, root: root).directories.values.filter({ Directories.isDirectory($0) }).isEmpty {
            throw RuntimeError("linux.cgroupsPath \(quoted(cgroupsPath)): that cgroup exists already; every container needs its own", exitCode: 1)
        }
        return try create(name: try name(fromPath: cgroupsPath), resources: resources, mode: mode, root: root)
    }

    /// The cgroup a previous command created at `cgroupsPath` (the directories that exist).
    public static func open(path cgroupsPath: String, mode: CgroupMode = .detect(),
                            root: FilePath = "/sys/fs/cgroup") throws -> Cgroup {
        let name = try name(fromPath: cgroupsPath)
        switch mode {
        case .unified:
            return Cgroup(name: name, mode: mode, directories: ["": root.appending(parentName).appending(name)])
        case .legacy, .hybrid:
            var directories: [String: FilePath] = [:]
            for controller in CgroupV1.controllers {
                let directory = root.appending(controller).appending(parentName).appending(name)
                if Directories.isDirectory(directory) { directories[controller] = directory }
            }
            return Cgroup(name: name, mode: mode, directories: directories)
        }
    }

    /// Whether every process in the cgroup is frozen (`pause`d).
    public func isFrozen() throws -> Bool {
        if mode == .unified {
            return try CgroupFile.number(directories[""]!.appending("cgroup.events"), key: "frozen") == 1
        }
        guard let freezer = directories["freezer"] else { return false }
        return try CgroupFile.read(freezer.appending("freezer.state")) == "FROZEN"
    }

    /// New limits for a cgroup in use (`update`). On v1 the memory limit may never exceed
    /// memory+swap: raising both must write memory+swap first, lowering both the limit first,
    /// so a refused first order is tried the other way round.
    public func apply(_ resources: Spec.Resources) throws {
        if mode == .unified {
            for (file, value, field) in CgroupV2.limitWrites(resources) {
                try CgroupFile.writeLimit(value, to: directories[""]!.appending(file), field: field, naming: { _ in nil })
            }
            return
        }
        let writes = CgroupV1.limitWrites(resources)
        func write(_ ordered: [CgroupV1.LimitWrite]) throws {
            for item in ordered {
                guard let directory = directories[item.controller] else { continue }
                let file = directory.appending(item.file)
                if item.optional && !CgroupFile.exists(file) { continue }
                try CgroupFile.writeLimit(item.value, to: file, field: item.field, naming: { _ in nil })
            }
        }
        do {
            try write(writes)
        } catch {
            let memory = writes.filter { $0.controller == "memory" }
            guard memory.count > 1 else { throw error }
            try write(Array(memory.reversed()) + writes.filter { $0.controller != "memory" })
        }
    }
}
