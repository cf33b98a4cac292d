import Foundation
import TestSupport
import XCTest

/// A test with its own minidock storage root (MINIDOCK_ROOT) and Docker config directory
/// (DOCKER_CONFIG) under a temporary directory, removed afterwards.
class StoreTestCase: XCTestCase {
    var root: URL!
    var work: URL!

    /// The busybox rootfs `make rootfs` builds, at the top of the checkout this file is in.
    static let fixture: URL = {
        var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path), directory.path != "/" {
            directory.deleteLastPathComponent()
        }
        return directory.appendingPathComponent("fixtures/busybox-rootfs")
    }()

    override func setUpWithError() throws {
        try XCTSkipUnless(getuid() == 0, "import keeps file owners: run as root (make test)")
        root = FileManager.default.temporaryDirectory.appendingPathComponent("minidock-images-\(UUID().uuidString.prefix(8))")
        work = root.appendingPathComponent("work")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
    }

    override func tearDown() {
        if let root { try? FileManager.default.removeItem(at: root) }
    }

    /// `minidock` with this test's store and Docker config, and any `environment` of its own.
    @discardableResult
    func minidock(_ arguments: [String], stdin: URL? = nil, environment: [String: String] = [:]) throws -> ProcessResult {
        try ProcessRunner.run(MinidockCLITests.binary, arguments, environment: ProcessInfo.processInfo.environment.merging([
            "MINIDOCK_ROOT": root.appendingPathComponent("store").path,
            "DOCKER_CONFIG": root.appendingPathComponent("docker-config").path,
        ].merging(environment) { $1 }) { $1 }, stdin: stdin)
    }

    func run(_ executable: String, _ arguments: [String]) throws -> ProcessResult {
        try ProcessRunner.run(executable, arguments)
    }

    var blobs: [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("store/images/blobs/sha256").path)) ?? []
    }

    func importBusybox(_ name: String = "busybox") throws -> String {
        let result = try minidock(["import", Self.fixture.path, name])
        XCTAssertEqual(result.status, 0, result.stderr)
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

}
