import Foundation
import XCTest

/// A test that runs lesson binaries in a fresh sandbox and checks, after every test —
/// passing or failing — that no mount or process of it is left on the host.
class LessonTestCase: XCTestCase {
    var sandbox: Sandbox!

    override func setUpWithError() throws {
        try XCTSkipUnless(getuid() == 0, "the lesson tests create namespaces and mount: run them as root (make test)")
        sandbox = try Sandbox()
    }

    override func tearDown() {
        sandbox?.assertNothingLeakedAndRemove()
        sandbox = nil
    }

    /// Run `LessonNN` with `arguments` (quiet unless `quiet: false`).
    func lesson(_ name: String, _ arguments: [String], quiet: Bool = true,
                onStart: ((Process) throws -> Void)? = nil) throws -> CommandResult {
        try Command.run(Command.binary(name), (quiet ? ["--quiet"] : []) + arguments, onStart: onStart)
    }

    /// Run a lesson in the sandbox's rootfs: `LessonNN --rootfs <sandbox> [flags] -- command`.
    func inRootfs(_ name: String, _ flags: [String] = [], _ command: [String], quiet: Bool = true) throws -> CommandResult {
        try lesson(name, ["--rootfs", sandbox.rootfs.path] + flags + ["--"] + command, quiet: quiet)
    }

    /// Assert that the lesson failed with one clear line on stderr, with Docker's exit code.
    func assertOneLineError(_ result: CommandResult, status: Int32, containing text: String,
                            file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(result.status, status, "stderr: \(result.stderr)", file: file, line: line)
        XCTAssertEqual(result.stderrLines.count, 1, "expected one line, got: \(result.stderr)", file: file, line: line)
        XCTAssertTrue(result.stderr.contains(text), "\(result.stderr) does not mention \(text)", file: file, line: line)
    }

    /// The namespace identity (`uts:[4026531838]`) of this test process, for comparing with a container's.
    func hostNamespace(_ type: String) throws -> String {
        try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/ns/\(type)")
    }
}
