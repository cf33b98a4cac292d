import Foundation
import TestSupport
import XCTest

/// `minidock` end to end: the real binary, its output and exit codes.
final class MinidockCLITests: XCTestCase {
    static let binary: String = {
        var directory = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: directory.appendingPathComponent("minidock").path), directory.path != "/" {
            directory.deleteLastPathComponent()
        }
        return directory.appendingPathComponent("minidock").path
    }()

    func minidock(_ arguments: [String], environment: [String: String] = [:]) throws -> ProcessResult {
        try ProcessRunner.run(Self.binary, arguments, environment: ProcessInfo.processInfo.environment
            .filter { $0.key != "MINIDOCK_ROOT" }.merging(environment) { $1 })
    }

    func field(_ name: String, in text: String) -> String? {
        text.split(separator: "\n").first { $0.hasPrefix(" \(name): ") }
            .map { String($0.dropFirst(name.count + 3)).trimmingCharacters(in: .whitespaces) }
    }

    func testVersion() throws {
        let result = try minidock(["version"])
        XCTAssertEqual(result.status, 0)
        XCTAssertTrue(result.stdout.hasPrefix("Client:\n Version:           0.1.0\n"), result.stdout)
        XCTAssertTrue(result.stdout.contains("OS/Arch:           linux/amd64"))
    }

    func testInfoReportsKernelCgroupModeAndRoot() throws {
        let result = try minidock(["info"])
        XCTAssertEqual(result.status, 0, result.stderr)
        var system = utsname()
        uname(&system)
        let release = withUnsafeBytes(of: system.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        XCTAssertEqual(field("Kernel Version", in: result.stdout), release)

        let mounts = try String(contentsOfFile: "/proc/mounts", encoding: .utf8)
        let mode = mounts.contains(" /sys/fs/cgroup cgroup2 ") ? "v2"
            : mounts.contains(" /sys/fs/cgroup/unified cgroup2 ") ? "hybrid" : "v1"
        XCTAssertEqual(field("Cgroup Mode", in: result.stdout), mode)
        XCTAssertEqual(field("Cgroup Version", in: result.stdout), mode == "v2" ? "2" : "1")
        XCTAssertEqual(field("Minidock Root Dir", in: result.stdout), "/var/lib/minidock")
        XCTAssertEqual(field("CPUs", in: result.stdout), "\(ProcessInfo.processInfo.activeProcessorCount)")
    }

    func testInfoHonoursRootFlagAndEnvironment() throws {
        let flag = try minidock(["info", "--root", "/tmp/elsewhere"])
        XCTAssertEqual(field("Minidock Root Dir", in: flag.stdout), "/tmp/elsewhere")
        let environment = try minidock(["info"], environment: ["MINIDOCK_ROOT": "/tmp/from-env"])
        XCTAssertEqual(field("Minidock Root Dir", in: environment.stdout), "/tmp/from-env")
    }

    func testUnknownFlagIs125WithOneLine() throws {
        let result = try minidock(["info", "--no-such-flag"])
        XCTAssertEqual(result.status, 125)
        XCTAssertEqual(result.stderr.split(separator: "\n").count, 1, result.stderr)
        XCTAssertTrue(result.stderr.contains("--no-such-flag"))
        XCTAssertEqual(result.stdout, "")
    }

    func testUnknownCommandIs125() throws {
        let result = try minidock(["no-such-command"])
        XCTAssertEqual(result.status, 125)
        XCTAssertEqual(result.stderr.split(separator: "\n").count, 1, result.stderr)
    }

    func testHelpExitsZero() throws {
        let result = try minidock(["--help"])
        XCTAssertEqual(result.status, 0)
        XCTAssertTrue(result.stdout.contains("info"))
    }
}
