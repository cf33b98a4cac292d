import Foundation
@testable import Runtime
import SystemPackage
import XCTest

/// The Cgroup API on this machine's real v1 hierarchies (the host is hybrid): a cgroup under
/// minidock/, a process of the test's own in it, statistics, freeze and thaw, removal.
final class CgroupV1Tests: XCTestCase {
    override func setUpWithError() throws {
        try XCTSkipUnless(getuid() == 0 && CgroupMode.detect() != .unified,
                          "needs root on a v1 or hybrid host (v2 is covered by CgroupV2Tests)")
    }

    func testFreezeThawStatisticsAndRemoval() throws {
        let name = "test-\(UUID().uuidString.prefix(8))"
        let cgroup = try Cgroup.create(name: name, resources: Spec.Resources(memory: .init(limit: 64 << 20),
                                                                             pids: .init(limit: 10)))
        var removed = false
        defer { if !removed { try? cgroup.remove() } }
        XCTAssertEqual(Set(cgroup.directories.keys), ["memory", "cpu", "cpuacct", "cpuset", "pids", "freezer", "devices"])

        let sleeper = Process()
        sleeper.executableURL = URL(fileURLWithPath: "/bin/sleep")
        sleeper.arguments = ["30"]
        try sleeper.run()
        defer { if sleeper.isRunning { kill(sleeper.processIdentifier, SIGKILL); sleeper.waitUntilExit() } }

        try cgroup.add(sleeper.processIdentifier)
        XCTAssertEqual(try cgroup.processes(), [sleeper.processIdentifier])
        let memberships = try String(contentsOfFile: "/proc/\(sleeper.processIdentifier)/cgroup", encoding: .utf8)
        XCTAssertTrue(memberships.contains(":memory:/minidock/\(name)\n"), memberships)

        let stats = try cgroup.statistics()
        XCTAssertEqual(stats.memoryLimit, 64 << 20)
        XCTAssertEqual(stats.pidsCurrent, 1)
        XCTAssertEqual(stats.oomKills, 0)

        try cgroup.freeze()
        XCTAssertEqual(try String(contentsOfFile: "/sys/fs/cgroup/freezer/minidock/\(name)/freezer.state", encoding: .utf8), "FROZEN\n")
        try cgroup.thaw()
        XCTAssertEqual(try String(contentsOfFile: "/sys/fs/cgroup/freezer/minidock/\(name)/freezer.state", encoding: .utf8), "THAWED\n")

        // remove() kills what is still inside (our sleep) and removes every directory.
        try cgroup.remove()
        removed = true
        sleeper.waitUntilExit()
        XCTAssertEqual(sleeper.terminationReason, .uncaughtSignal)
        for controller in cgroup.directories.keys {
            XCTAssertFalse(FileManager.default.fileExists(atPath: "/sys/fs/cgroup/\(controller)/minidock/\(name)"))
            // The parent goes too once nothing is in it (another run's container would keep it).
            let parent = "/sys/fs/cgroup/\(controller)/minidock"
            let others = ((try? FileManager.default.contentsOfDirectory(atPath: parent)) ?? []).filter {
                var isDirectory: ObjCBool = false
                return FileManager.default.fileExists(atPath: "\(parent)/\($0)", isDirectory: &isDirectory) && isDirectory.boolValue
            }
            XCTAssertTrue(others.isEmpty ? !FileManager.default.fileExists(atPath: parent) : true, "empty \(parent) left behind")
        }
    }

    func testBadNamesAreRefused() {
        for name in ["", "a/b", "..", "."] {
            XCTAssertThrowsError(try Cgroup.create(name: name, resources: nil), name)
        }
    }
}
