#if canImport(Glibc)
import Glibc
#endif
import SystemPackage

/// Reading and writing cgroup control files, and the directory operations on them.
///
/// A cgroup file takes one value per write(2); the kernel validates it then and there, so a
/// value it refuses (a limit too low, a CPU that does not exist) fails *this* write with an
/// errno that names the file.
enum CgroupFile {
    static func write(_ value: String, to file: FilePath) throws {
        try FileContents.write(Array(value.utf8), to: file)
    }

    static func read(_ file: FilePath) throws -> String {
        try FileContents.readString(file).trimmingTrailingNewlines()
    }

    static func exists(_ file: FilePath) -> Bool {
        access(file.string, F_OK) == 0
    }

    /// A number from a file holding one, or a `key value` line of a flat-keyed file
    /// (memory.events, cpu.stat, memory.oom_control).
    static func number(_ file: FilePath, key: String? = nil) throws -> UInt64 {
        let text = try read(file)
        guard let key else { return UInt64(text) ?? 0 }
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ")
            if fields.count == 2, fields[0] == key { return UInt64(fields[1]) ?? 0 }
        }
        return 0
    }

    /// Make the cgroup `name` under minidock's parent in `hierarchy`, and the parent first when
    /// there is none (then `prepareParent` readies it: cpuset values, subtree control). Another
    /// command may remove the parent the moment it is empty (`removeParentIfUnused`), between
    /// our two mkdirs: the second then fails with ENOENT, and we start again.
    ///
    /// An existing `name` is taken as is: names are unique per process (`lesson04-PID`), and a
    /// test's v2 tree lays the directory out beforehand, as the kernel would with its files.
    static func makeCgroup(_ name: String, in hierarchy: FilePath,
                           prepareParent: (FilePath) throws -> Void = { _ in }) throws -> FilePath {
        let parent = hierarchy.appending(Cgroup.parentName)
        let directory = parent.appending(name)
        for attempt in 1...5 {
            do {
                try Directories.create(parent)
                try prepareParent(parent)
                try Syscall.call("mkdir", [quoted(directory.string), "0755"], subject: quoted(directory.string),
                                 tolerating: [.fileExists]) { mkdir(directory.string, 0o755) }
                return directory
            } catch let error as RuntimeError where error.errno == .noSuchFileOrDirectory && attempt < 5 {
                continue
            }
        }
        return directory
    }

    /// Remove minidock's parent cgroup once no container's cgroup is left in it, so that a
    /// machine where nothing runs holds nothing of minidock's. Still in use (EBUSY), already
    /// gone (ENOENT), or not a cgroup filesystem at all (a test's tree: ENOTEMPTY) — leave it.
    static func removeParentIfUnused(_ parent: FilePath) {
        _ = try? Syscall.call("rmdir", [quoted(parent.string)], subject: quoted(parent.string),
                              tolerating: [.resourceBusy, .directoryNotEmpty, .noSuchFileOrDirectory]) { rmdir(parent.string) }
    }

    /// rmdir a cgroup. The kernel refuses (EBUSY) while a dying process is still attached,
    /// for a few milliseconds after it was reaped; retry for up to a second.
    static func removeDirectory(_ directory: FilePath) throws {
        for attempt in 0..<100 {
            do {
                try Syscall.call("rmdir", [quoted(directory.string)], subject: quoted(directory.string),
                                 tolerating: [.noSuchFileOrDirectory]) { rmdir(directory.string) }
                return
            } catch let error as RuntimeError where error.errno == .resourceBusy && attempt < 99 {
                usleep(10_000)
            }
        }
    }
}

extension String {
    func trimmingTrailingNewlines() -> String {
        var result = Substring(self)
        while result.last == "\n" { result = result.dropLast() }
        return String(result)
    }
}
