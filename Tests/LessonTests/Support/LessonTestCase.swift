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

    /// Run `LessonNN` with `arguments` (quiet unless `quiet: false`), in `directory` if given;
    /// with `closedPipe`, into a pipe nobody reads (see `Command.run`).
    func lesson(_ name: String, _ arguments: [String], quiet: Bool = true, in directory: URL? = nil,
                closedPipe: Bool = false, onStart: ((Process) throws -> Void)? = nil) throws -> CommandResult {
        try Command.run(Command.binary(name), (quiet ? ["--quiet"] : []) + arguments, in: directory,
                        closedPipe: closedPipe, onStart: onStart)
    }

    /// Whether `mask`, a hexadecimal signal mask from /proc/PID/status (SigIgn, ShdPnd…), has `signal`.
    func mask(_ mask: String, has signal: Int32) -> Bool {
        (UInt64(mask.trimmingCharacters(in: .whitespacesAndNewlines), radix: 16) ?? 0) & (1 << UInt64(signal - 1)) != 0
    }

    /// A field of /proc/PID/status (`ShdPnd`), or "" when the process is gone.
    func statusField(_ name: String, of pid: Int32) -> String {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix(name + ":") } ?? ""
        return line.dropFirst(name.count + 1).trimmingCharacters(in: .whitespaces)
    }

    /// Send `signal` to `pid` and wait until the process has taken it (it is no longer pending):
    /// two of the same signal sent back to back would otherwise merge into one.
    func send(_ signal: Int32, to pid: Int32) throws {
        kill(pid, signal)
        try Command.waitFor("PID \(pid) to take signal \(signal)") {
            !mask(statusField("ShdPnd", of: pid), has: signal) && !mask(statusField("SigPnd", of: pid), has: signal)
        }
    }

    /// Wait until the lesson `lessonPID` runs its container past exec: its first child's command
    /// line contains `marker`. Returns the container's PID as the host numbers it.
    @discardableResult
    func waitForContainer(of lessonPID: Int32, marker: String) throws -> Int32 {
        var found: Int32 = 0
        try Command.waitFor("the container") {
            guard let pid = firstChild(of: lessonPID) else { return false }
            let raw = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") ?? Data()
            found = pid
            return String(decoding: raw, as: UTF8.self).contains(marker)
        }
        return found
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

    /// Wait until `pid` has a handler for `signal` (its SigCgt mask in /proc/PID/status).
    /// A container's init ignores a signal it has no handler for, so a test that sends one
    /// must first wait for the command to install its `trap`.
    func waitUntil(_ pid: Int32, handles signal: Int32) throws {
        try Command.waitFor("PID \(pid) to handle signal \(signal)") {
            let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
            guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("SigCgt:") }),
                  let mask = UInt64(line.dropFirst("SigCgt:".count).trimmingCharacters(in: .whitespaces), radix: 16) else { return false }
            return mask & (1 << UInt64(signal - 1)) != 0
        }
    }

    /// The first child of `pid` (a lesson's container init, as the host numbers it), or nil.
    func firstChild(of pid: Int32) -> Int32? {
        let children = (try? String(contentsOfFile: "/proc/\(pid)/task/\(pid)/children", encoding: .utf8)) ?? ""
        return Int32(children.split(separator: " ").first ?? "")
    }

    /// The namespace identity (`uts:[4026531838]`) of this test process, for comparing with a container's.
    func hostNamespace(_ type: String) throws -> String {
        try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/ns/\(type)")
    }
}
