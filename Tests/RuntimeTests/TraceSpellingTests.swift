import Foundation
@testable import Runtime
import SystemPackage
import XCTest

/// The trace spells flags and calls as C would, so a learner can look each up in a man page.
final class TraceSpellingTests: XCTestCase {
    func testCloneFlags() {
        XCTAssertEqual(CloneFlags([.newUTS, .newPID]).cSpelling, "CLONE_NEWUTS|CLONE_NEWPID")
        XCTAssertEqual(CloneFlags.newMount.cSpelling, "CLONE_NEWNS")
        XCTAssertEqual(CloneFlags([]).cSpelling, "0")
        XCTAssertEqual(CloneFlags(rawValue: CloneFlags.newIPC.rawValue | 0x1).cSpelling, "CLONE_NEWIPC|0x1")
        // The kernel's values, from <linux/sched.h>.
        XCTAssertEqual(CloneFlags.newMount.rawValue, 0x20000)
        XCTAssertEqual(CloneFlags.newPID.rawValue, 0x2000_0000)
        XCTAssertEqual(CloneFlags(.network), .newNetwork)
    }

    func testMountFlags() {
        XCTAssertEqual(MountFlags([.recursive, .private]).cSpelling, "MS_REC|MS_PRIVATE")
        XCTAssertEqual(MountFlags([.bind, .remount, .readOnly]).cSpelling, "MS_RDONLY|MS_REMOUNT|MS_BIND")
        XCTAssertEqual(UnmountFlags.detach.cSpelling, "MNT_DETACH")
        XCTAssertEqual(MountFlags.private.rawValue, 1 << 18)
    }

    func testMountOptionsSplitIntoFlagsAndData() {
        let options = MountOptions(["nosuid", "noexec", "mode=755", "size=65536k", "ro", "rprivate"])
        XCTAssertEqual(options.flags, [.noSetuid, .noExec, .readOnly])
        XCTAssertEqual(options.data, "mode=755,size=65536k")
        XCTAssertEqual(options.propagation, [.private, .recursive])
        XCTAssertEqual(MountOptions(["ro", "rw"]).flags, [])
        XCTAssertEqual(MountOptions(["rbind"]).flags, [.bind, .recursive])
    }

    func testTraceHookSeesARealCallAndItsResult() throws {
        var lines: [String] = []
        Trace.hook = { lines.append($0) }
        defer { Trace.hook = nil }

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("trace-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        try Directories.create(FilePath(directory.path))
        XCTAssertEqual(lines, ["mkdir(\"\(directory.path)\", 0755) = 0"])

        lines = []
        XCTAssertThrowsError(try FileContents.read("/nonexistent/file"))
        XCTAssertEqual(lines, ["open(\"/nonexistent/file\", O_RDONLY|O_CLOEXEC) = -1 ENOENT"])
    }

    func testWaitStatusSpelling() {
        XCTAssertEqual("\(ExitStatus.exited(3))", "{WIFEXITED(s) && WEXITSTATUS(s) == 3}")
        XCTAssertEqual("\(ExitStatus.signaled(9))", "{WIFSIGNALED(s) && WTERMSIG(s) == SIGKILL}")
    }

    func testQuotingEscapes() {
        XCTAssertEqual(quoted("a\"b\\c\nd"), #""a\"b\\c\nd""#)
    }
}
