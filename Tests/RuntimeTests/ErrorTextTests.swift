import Foundation
@testable import Runtime
import SystemPackage
import XCTest

/// Error messages: lower case, no final period, the call and its quoted argument, the errno name.
final class ErrorTextTests: XCTestCase {
    func testCallErrorFormat() {
        let error = RuntimeError(call: "mount", subject: "\"proc\" on \"/x/rootfs/proc\"", errno: .notPermitted)
        XCTAssertEqual(error.message, "mount \"proc\" on \"/x/rootfs/proc\": EPERM")
        XCTAssertEqual(error.exitCode, 125)
    }

    func testErrnoNames() {
        XCTAssertEqual(Errno.noSuchFileOrDirectory.symbolicName, "ENOENT")
        XCTAssertEqual(Errno.permissionDenied.symbolicName, "EACCES")
        XCTAssertEqual(Errno.resourceBusy.symbolicName, "EBUSY")
        XCTAssertEqual(Errno(rawValue: 9999).symbolicName, "errno 9999")
    }

    func testARealFailedCallThrowsTheGateError() {
        XCTAssertThrowsError(try Mount.unmount("/nonexistent-mount-point")) { error in
            XCTAssertEqual("\(error)", "umount2 \"/nonexistent-mount-point\": ENOENT")
            XCTAssertEqual((error as? RuntimeError)?.errno, .noSuchFileOrDirectory)
        }
    }

    func testExitCodesForExecFailures() {
        XCTAssertEqual(ExecutableLookup.exitCode(forExecError: ENOENT), 127)
        XCTAssertEqual(ExecutableLookup.exitCode(forExecError: EACCES), 126)
        XCTAssertEqual(ExecutableLookup.exitCode(forExecError: ENOEXEC), 126)
    }

    func testLookupUsesTheGivenPathNotOurs() throws {
        XCTAssertEqual(try ExecutableLookup.resolve("sh", environment: ["PATH=/bin"]), "/bin/sh")
        XCTAssertThrowsError(try ExecutableLookup.resolve("sh", environment: ["PATH=/nonexistent"])) { error in
            XCTAssertEqual("\(error)", "exec \"sh\": executable file not found in $PATH")
            XCTAssertEqual((error as? RuntimeError)?.exitCode, 127)
        }
        // Found, but not executable: 126, as Docker.
        XCTAssertThrowsError(try ExecutableLookup.resolve("passwd", environment: ["PATH=/etc"])) { error in
            XCTAssertEqual((error as? RuntimeError)?.exitCode, 126)
        }
    }

    func testExitStatusAsDockerReportsIt() {
        XCTAssertEqual(ExitStatus(waitStatus: 3 << 8), .exited(3))
        XCTAssertEqual(ExitStatus(waitStatus: 9), .signaled(9))
        XCTAssertEqual(ExitStatus.signaled(9).dockerExitCode, 137)
        XCTAssertEqual(ExitStatus.signaled(15).dockerExitCode, 143)
        XCTAssertEqual(ExitStatus.exited(0).dockerExitCode, 0)
    }

    func testChildReportRoundTrips() {
        let report = ChildReport.execFailed(RuntimeError("exec \"x\": EACCES", errno: .permissionDenied, exitCode: 126))
        XCTAssertEqual(ChildReport.decode(report.encoded()), report)
    }

    func testRootfsValidation() {
        XCTAssertThrowsError(try Rootfs.validate("relative")) { XCTAssertEqual("\($0)", "rootfs \"relative\": must be an absolute path") }
        XCTAssertThrowsError(try Rootfs.validate("/nonexistent")) { XCTAssertEqual("\($0)", "rootfs \"/nonexistent\": no such directory") }
    }
}
