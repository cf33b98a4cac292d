#if canImport(Glibc)
import Glibc
#endif
import FoundationEssentials
import SystemPackage

/// Where the runtime layer keeps its containers: `<root>/<id>/` with `state.json` (the
/// `ContainerRecord`) and, between `create` and `start`, `exec.fifo`, the FIFO the container's
/// init waits on. `<root>` is the runtime's `--root` (`/run/minidock-runc` by default: running
/// state, gone at reboot with the containers it describes), readable by root only.
public struct ContainerDirectory: Sendable {
    public let root: FilePath

    public static let defaultRoot: FilePath = "/run/minidock-runc"

    public init(root: FilePath) throws {
        guard !root.string.isEmpty else { throw RuntimeError("--root: empty path; give a directory") }
        self.root = root
        try Directories.create(root, mode: 0o700)
    }

    public func directory(_ id: String) -> FilePath { root.appending(id) }
    func stateFile(_ id: String) -> FilePath { directory(id).appending("state.json") }
    public func execFIFO(_ id: String) -> FilePath { directory(id).appending("exec.fifo") }

    /// A container ID as runc accepts one: letters, digits, `_`, `+`, `-`, `.`; not `.` or `..`.
    /// It names a directory, so nothing else may reach the path.
    public static func validate(_ id: String) throws {
        let allowed = id.utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
        }
        guard !id.isEmpty, id.utf8.count <= 1024, allowed, id != ".", id != ".." else {
            throw RuntimeError("invalid container id \(quoted(id)): use letters, digits, _ + - . only", exitCode: 1)
        }
    }

    /// Make the directory of a new container with its first record in it, in one rename: two
    /// `create`s of one ID cannot both win, and a `create` killed at any point leaves either
    /// nothing under the ID or a record `delete` can clean (its creator gone: `stopped`). The
    /// record is written in `.claim-PID-START-ID` first; those of dead creators are swept here.
    public func claim(_ record: ContainerRecord) throws {
        try Self.validate(record.id)
        for name in try Directories.entries(root) where name.hasPrefix(".claim-") {
            if let owner = ProcessIdentity(parsingPrefixOf: String(name.dropFirst(7))), !owner.isAlive {
                try? TreeWalk.remove(root.appending(name))
            }
        }
        let staging = root.appending(".claim-\(ProcessIdentity.current)-\(record.id)")
        try Syscall.call("mkdir", [quoted(staging.string), "0700"], subject: quoted(staging.string)) { mkdir(staging.string, 0o700) }
        do {
            try write(record, into: staging)
            try Syscall.call("rename", [quoted(staging.string), quoted(directory(record.id).string)],
                             subject: quoted(directory(record.id).string), traced: false) {
                rename(staging.string, directory(record.id).string)
            }
        } catch let error as RuntimeError {
            try? TreeWalk.remove(staging)
            if error.errno == .fileExists || error.errno == .directoryNotEmpty {
                throw RuntimeError("container with id exists: \(record.id)", exitCode: 1)
            }
            throw error
        }
    }

    public func save(_ record: ContainerRecord) throws {
        try write(record, into: directory(record.id))
    }

    /// `state.json` in `directory`, written aside and renamed: a reader never sees half a record.
    private func write(_ record: ContainerRecord, into directory: FilePath) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let bytes = Array(try encoder.encode(record))
        let staging = directory.appending("state.json.tmp")
        let target = directory.appending("state.json")
        try FileContents.write(bytes, to: staging, create: true, mode: 0o600)
        try Syscall.call("rename", [quoted(staging.string), quoted(target.string)], subject: quoted(target.string), traced: false) {
            rename(staging.string, target.string)
        }
    }

    /// The record of `id`, or "container does not exist" (runc's words, exit 1).
    public func load(_ id: String) throws -> ContainerRecord {
        try Self.validate(id)
        guard access(stateFile(id).string, F_OK) == 0 else {
            throw RuntimeError("container does not exist: \(id)", exitCode: 1)
        }
        do {
            return try JSONDecoder().decode(ContainerRecord.self, from: Data(try FileContents.read(stateFile(id), traced: false)))
        } catch let error as DecodingError {
            throw RuntimeError("container \(id): state.json: \(error.oneLineSummary)", exitCode: 1)
        }
    }

    /// Every container with a record (a directory without one is a create in progress or a
    /// create that died: `list` shows neither).
    public func ids() throws -> [String] {
        try Directories.entries(root).filter { !$0.hasPrefix(".claim-") && access(stateFile($0).string, F_OK) == 0 }.sorted()
    }

    /// The status, from the kernel: a dead init (or one whose PID now belongs to another
    /// process) is stopped; a live one is created until `start` released it, then running —
    /// or paused while its cgroup is frozen.
    public func status(of record: ContainerRecord) -> ContainerStatus {
        if record.pid == 0 {
            let creator = ProcessIdentity(pid: record.creatorPID, startTime: record.creatorStartTime)
            return creator.isAlive ? .creating : .stopped
        }
        if record.initProcess.hasEnded { return .stopped }
        if !record.started { return .created }
        if let cgroup = try? Cgroup.open(path: record.cgroupsPath), (try? cgroup.isFrozen()) == true { return .paused }
        return .running
    }

    /// Remove the container's directory (record and FIFO).
    public func remove(_ id: String) throws {
        try TreeWalk.remove(directory(id))
    }
}
