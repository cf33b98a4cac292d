import Foundation
import XCTest

/// Lesson01 runs a host command as a child and exits as Docker would report it.
final class Lesson01Tests: LessonTestCase {
    func testExitCodeZeroAndOutput() throws {
        let result = try lesson("Lesson01", ["--", "sh", "-c", "echo hello from the child"])
        XCTAssertEqual(result.status, 0)
        XCTAssertEqual(result.stdout, "hello from the child\n")
        XCTAssertEqual(result.stderr, "", "--quiet prints nothing of its own")
    }

    func testExitCodeOneAndOthersPassThrough() throws {
        XCTAssertEqual(try lesson("Lesson01", ["--", "false"]).status, 1)
        XCTAssertEqual(try lesson("Lesson01", ["--", "sh", "-c", "exit 42"]).status, 42)
    }

    func testCommandNotFoundIs127() throws {
        let result = try lesson("Lesson01", ["--", "no-such-command-\(UUID().uuidString.prefix(6))"])
        assertOneLineError(result, status: 127, containing: "executable file not found in $PATH")
    }

    func testNotExecutableIs126() throws {
        let script = sandbox.directory.appendingPathComponent("not-executable.sh")
        try "#!/bin/sh\necho should not run\n".write(to: script, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: script.path)
        let result = try lesson("Lesson01", ["--", script.path])
        assertOneLineError(result, status: 126, containing: "EACCES")
        XCTAssertEqual(result.stdout, "")
    }

    func testKilledBySignalIs128PlusN() throws {
        let result = try lesson("Lesson01", ["--", "sh", "-c", "kill -KILL $$"])
        XCTAssertEqual(result.status, 128 + 9)
    }

    /// SIGTERM sent to the lesson reaches the child: `sleep` dies of it, and the lesson
    /// reports 128+15 rather than dying itself and leaving the sleep behind.
    func testForwardsSigtermToTheChild() throws {
        var childPID: Int32 = 0
        let marker = sandbox.directory.path  // in the sleep's command line, for the leak check
        let result = try lesson("Lesson01", ["--", "sh", "-c", "exec sleep 30 # \(marker)"]) { process in
            try Command.waitFor("the child sleep") {
                let children = (try? String(contentsOfFile: "/proc/\(process.processIdentifier)/task/\(process.processIdentifier)/children", encoding: .utf8)) ?? ""
                guard let pid = Int32(children.split(separator: " ").first ?? "") else { return false }
                let comm = (try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8)) ?? ""
                childPID = pid
                return comm == "sleep\n"
            }
            kill(process.processIdentifier, SIGTERM)
        }
        XCTAssertEqual(result.status, 128 + 15)
        XCTAssertNotEqual(childPID, 0)
        XCTAssertFalse(FileManager.default.fileExists(atPath: "/proc/\(childPID)/cmdline") &&
                       ((try? String(contentsOfFile: "/proc/\(childPID)/comm", encoding: .utf8)) == "sleep\n"),
                       "the child must be gone")
    }

    func testTraceShowsCloneAndExecve() throws {
        let result = try lesson("Lesson01", ["--", "true"], quiet: false)
        XCTAssertEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("clone(SIGCHLD) = "), result.stderr)
        XCTAssertTrue(result.stderr.contains("execve(\"/usr/bin/true\", [\"true\"]") ||
                      result.stderr.contains("execve(\"/bin/true\", [\"true\"]"), result.stderr)
        XCTAssertTrue(result.stderr.contains("[{WIFEXITED(s) && WEXITSTATUS(s) == 0}]"), result.stderr)
    }

    func testUnknownFlagIs125() throws {
        let result = try lesson("Lesson01", ["--no-such-flag", "--", "true"])
        assertOneLineError(result, status: 125, containing: "--no-such-flag")
    }

    func testMissingCommandIs125() throws {
        let result = try lesson("Lesson01", [])
        assertOneLineError(result, status: 125, containing: "no command given")
    }
}
