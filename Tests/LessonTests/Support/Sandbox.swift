import Foundation
import XCTest

/// A test's private corner of the host: a temporary directory holding a copy of the busybox
/// rootfs and a marker file that exists only on the host side.
///
/// Everything a test makes carries the sandbox's unique path, which is how `assertNothingLeaked`
/// finds leftovers: a mount whose path contains it, a process whose command line contains it.
final class Sandbox {
    let directory: URL
    let rootfs: URL
    /// A file on the host, outside the rootfs: a container must not be able to read it.
    let hostMarker: URL
    let hostMarkerContent: String
    /// A file at the rootfs's top: inside a container it is `/rootfs-marker`.
    let rootfsMarkerContent: String

    /// The fixture `make rootfs` builds, found from this source file's place in the checkout.
    static let fixture: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("fixtures/busybox-rootfs")

    init() throws {
        guard FileManager.default.fileExists(atPath: Self.fixture.appendingPathComponent("bin/busybox").path) else {
            throw SandboxError("no busybox rootfs at \(Self.fixture.path): run `make rootfs`")
        }
        let unique = "minidock-test-\(UUID().uuidString.prefix(8).lowercased())"
        directory = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent(unique)
        rootfs = directory.appendingPathComponent("rootfs")
        hostMarker = directory.appendingPathComponent("host-only-marker")
        hostMarkerContent = "host side of \(unique)"
        rootfsMarkerContent = "inside \(unique)"
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o755])
        let copy = try Command.run("/bin/cp", ["-a", Self.fixture.path, rootfs.path])
        guard copy.status == 0 else { throw SandboxError("cp -a fixture: \(copy.stderr)") }
        try hostMarkerContent.write(to: hostMarker, atomically: true, encoding: .utf8)
        try rootfsMarkerContent.write(to: rootfs.appendingPathComponent("rootfs-marker"), atomically: true, encoding: .utf8)
    }

    /// Mount points under this sandbox, as the host sees them.
    func leakedMounts() -> [String] {
        let table = (try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) ?? ""
        return table.split(separator: "\n").map(String.init).filter { $0.contains(directory.path) }
    }

    /// Processes (other than ours) whose command line mentions this sandbox.
    func leakedProcesses() -> [String] {
        let me = getpid()
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry -> String? in
            guard let pid = Int32(entry), pid != me,
                  let raw = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return nil }
            let commandLine = String(decoding: raw.map { $0 == 0 ? 32 : $0 }, as: UTF8.self)
            return commandLine.contains(directory.path) ? "\(pid): \(commandLine)" : nil
        }
    }

    /// minidock's parent cgroups that hold no container's cgroup: nothing may keep them.
    /// (Another run's live container keeps its parent with a child in it: not counted.)
    static func emptyMinidockCgroupParents() -> [String] {
        let root = "/sys/fs/cgroup"
        let hierarchies = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).map { "\(root)/\($0)" } + [root]
        return hierarchies.map { "\($0)/minidock" }.filter { parent in
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: parent, isDirectory: &isDirectory), isDirectory.boolValue else { return false }
            let entries = (try? FileManager.default.contentsOfDirectory(atPath: parent)) ?? []
            return !entries.contains { entry in
                var childIsDirectory: ObjCBool = false
                return FileManager.default.fileExists(atPath: "\(parent)/\(entry)", isDirectory: &childIsDirectory) && childIsDirectory.boolValue
            }
        }
    }

    /// Assert that nothing of the test remains, then remove the sandbox. On a leak it still
    /// cleans up — lazily unmounting and killing by the PIDs it found — so one failing test
    /// does not poison the next.
    func assertNothingLeakedAndRemove(file: StaticString = #filePath, line: UInt = #line) {
        var processes = leakedProcesses()
        // A process that is exiting right now may still be listed for a moment.
        for _ in 0..<50 where !processes.isEmpty {
            usleep(20_000)
            processes = leakedProcesses()
        }
        let mounts = leakedMounts()
        XCTAssertEqual(mounts, [], "mounts left on the host", file: file, line: line)
        let cgroupParents = Self.emptyMinidockCgroupParents()
        XCTAssertEqual(cgroupParents, [], "empty minidock cgroups left on the host", file: file, line: line)
        for parent in cgroupParents { rmdir(parent) }
        XCTAssertEqual(processes, [], "processes left running", file: file, line: line)
        for process in processes {
            if let pid = Int32(process.prefix { $0 != ":" }) { kill(pid, SIGKILL) }
        }
        for mount in mounts.reversed() {
            let fields = mount.split(separator: " ")
            if fields.count > 4 { umount2(String(fields[4]), Int32(MNT_DETACH)) }
        }
        try? FileManager.default.removeItem(at: directory)
    }
}
