import Foundation
import XCTest

/// Lesson02: chroot, its breakout, and pivot_root, which the breakout cannot get past.
final class Lesson02Tests: LessonTestCase {
    func testRootfsIsSlashAfterPivotRoot() throws {
        let result = try inRootfs("Lesson02", ["--only", "pivot-root"], ["cat", "/rootfs-marker"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout, sandbox.rootfsMarkerContent)

        let listing = try inRootfs("Lesson02", ["--only", "pivot-root"], ["ls", "-a", "/"])
        let expected = try FileManager.default.contentsOfDirectory(atPath: sandbox.rootfs.path) + [".", ".."]
        XCTAssertEqual(Set(listing.stdout.split(separator: "\n").map(String.init)), Set(expected))
    }

    func testHostRootIsUnreachableAfterPivotRoot() throws {
        let result = try inRootfs("Lesson02", ["--only", "pivot-root"], ["cat", sandbox.hostMarker.path])
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.stdout, "")
        XCTAssertTrue(result.stderr.contains("No such file"), result.stderr)
    }

    func testChrootAloneHidesTheHostPath() throws {
        let result = try inRootfs("Lesson02", ["--only", "chroot"], ["cat", "/rootfs-marker"])
        XCTAssertEqual(result.stdout, sandbox.rootfsMarkerContent)
        XCTAssertEqual(try inRootfs("Lesson02", ["--only", "chroot"], ["cat", sandbox.hostMarker.path]).status, 1)
    }

    func testBreakoutEscapesChroot() throws {
        let result = try inRootfs("Lesson02", ["--only", "chroot", "--breakout"], ["cat", sandbox.hostMarker.path])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout, sandbox.hostMarkerContent, "the breakout reads a file only the host has")
    }

    func testBreakoutFailsUnderPivotRoot() throws {
        let result = try inRootfs("Lesson02", ["--only", "pivot-root", "--breakout"], ["cat", sandbox.hostMarker.path])
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.stdout, "")
        // It climbed as far as it could and stayed in the rootfs.
        let whereItLanded = try inRootfs("Lesson02", ["--only", "pivot-root", "--breakout"], ["cat", "/rootfs-marker"])
        XCTAssertEqual(whereItLanded.stdout, sandbox.rootfsMarkerContent)
    }

    func testAllFourActsNarratedAndExitWithTheLastOne() throws {
        let result = try inRootfs("Lesson02", [], ["sh", "-c", "exit 7"], quiet: false)
        XCTAssertEqual(result.status, 7)
        for act in ["act 1:", "act 2:", "act 3:", "act 4:", "chroot(", "pivot_root(\".\", \".\") = 0", "umount2(\".\", MNT_DETACH) = 0"] {
            XCTAssertTrue(result.stderr.contains(act), "missing \(act) in the trace")
        }
    }

    func testMissingRootfsIs125() throws {
        let missing = sandbox.directory.appendingPathComponent("no-such-rootfs").path
        let result = try lesson("Lesson02", ["--rootfs", missing, "--", "true"])
        assertOneLineError(result, status: 125, containing: "no such directory")
    }

    func testEmptyRootfsIs125() throws {
        let empty = sandbox.directory.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: false)
        let result = try lesson("Lesson02", ["--rootfs", empty.path, "--", "true"])
        assertOneLineError(result, status: 125, containing: "is empty")
    }

    func testCommandNotInRootfsIs127() throws {
        // `runc` is on the host (make test installs it) but not in the busybox rootfs.
        let result = try inRootfs("Lesson02", ["--only", "pivot-root"], ["runc"])
        assertOneLineError(result, status: 127, containing: "executable file not found in $PATH")
    }

    func testNonExecutableFileIs126() throws {
        let result = try inRootfs("Lesson02", ["--only", "pivot-root"], ["/rootfs-marker"])
        assertOneLineError(result, status: 126, containing: "EACCES")
    }

    func testWithoutRootIs125() throws {
        // A copy of the binary the unprivileged user can reach (the checkout may not be).
        let copy = sandbox.directory.appendingPathComponent("Lesson02")
        try FileManager.default.copyItem(atPath: Command.binary("Lesson02"), toPath: copy.path)
        let result = try Command.run("/usr/bin/setpriv",
                                     ["--reuid=65534", "--regid=65534", "--clear-groups", copy.path,
                                      "--quiet", "--rootfs", sandbox.rootfs.path, "--", "true"])
        assertOneLineError(result, status: 125, containing: "must be run as root")
    }
}
