import Foundation
import TestSupport
import XCTest

/// The Bearer token flow, and registries that misbehave: against a small registry and token
/// server (Fixtures/fake_registry.py) the test starts on 127.0.0.1 and stops by its PID.
final class FakeRegistryTests: StoreTestCase {
    var server: Process?
    var port = 0
    var requestLog: URL { work.appendingPathComponent("requests.log") }

    override func tearDown() {
        if let server, server.isRunning {
            kill(server.processIdentifier, SIGTERM)
            server.waitUntilExit()
        }
        super.tearDown()
    }

    /// An OCI layout of the busybox fixture (gzip layers, as skopeo writes), served in `mode`.
    func start(_ mode: String, extra: [String] = []) throws {
        _ = try importBusybox()
        let archive = work.appendingPathComponent("bb.tar").path
        XCTAssertEqual(try minidock(["save", "-o", archive, "busybox"]).status, 0)
        XCTAssertEqual(try minidock(["rmi", "busybox"]).status, 0)
        let layout = work.appendingPathComponent("layout").path
        _ = try LocalRegistry.run("/usr/bin/skopeo", ["copy", "-q", "docker-archive:\(archive)", "oci:\(layout):latest"])
        port = try LocalRegistry.freePort()
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/fake_registry.py")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path, "--port", "\(port)", "--layout", layout, "--mode", mode,
                             "--log", requestLog.path] + extra
        try process.run()
        server = process
        for _ in 0..<200 {
            if (try? LocalRegistry.run("/usr/bin/env", ["python3", "-c",
                "import socket; socket.create_connection(('127.0.0.1', \(port)), 1)"])) != nil { return }
            usleep(50_000)
        }
        XCTFail("the fake registry did not start")
    }

    var image: String { "127.0.0.1:\(port)/app" }

    func assertRefused(_ arguments: [String], containing text: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let result = try minidock(arguments)
        XCTAssertEqual(result.status, 1, result.stderr, file: file, line: line)
        XCTAssertEqual(result.stderr.split(separator: "\n").count, 1, result.stderr, file: file, line: line)
        XCTAssertTrue(result.stderr.contains(text), result.stderr, file: file, line: line)
        XCTAssertEqual(try minidock(["images", "-q"]).stdout, "", "nothing tagged", file: file, line: line)
        XCTAssertEqual(blobs, [], "nothing stored", file: file, line: line)
    }

    func testBearerTokenFlow() throws {
        try start("bearer")
        let pull = try minidock(["pull", image])
        XCTAssertEqual(pull.status, 0, pull.stderr)
        let log = try String(contentsOf: requestLog, encoding: .utf8)
        // First an anonymous try, then the token for the challenge's service and scope, then the retry.
        XCTAssertTrue(log.contains("GET /v2/app/manifests/latest auth=\n"), log)
        XCTAssertTrue(log.contains("GET /token?service=fake-registry&scope=repository%3Aapp%3Apull auth="), log)
        XCTAssertTrue(log.contains("GET /v2/app/manifests/latest auth=Bearer test-token-123"), log)
        XCTAssertTrue(log.contains("/blobs/sha256:"), log)
    }

    func testBearerTokenServerWithCredentials() throws {
        try start("bearer", extra: ["--user", "bob", "--password", "hunter2"])
        try assertRefused(["pull", image], containing: "token server")
        XCTAssertEqual(try minidock(["login", "-u", "bob", "-p", "hunter2", "127.0.0.1:\(port)"]).status, 0)
        let pull = try minidock(["pull", image])
        XCTAssertEqual(pull.status, 0, pull.stderr)
        let log = try String(contentsOf: requestLog, encoding: .utf8)
        XCTAssertTrue(log.contains("auth=Basic \(Data("bob:hunter2".utf8).base64EncodedString())"), log)
    }

    func testServerError() throws {
        try start("error500")
        try assertRefused(["pull", image], containing: "500 (unknown: the storage backend is down)")
    }

    func testTruncatedBlob() throws {
        try start("truncate")
        try assertRefused(["pull", image], containing: "transferred a partial file")
    }

    func testInvalidManifestJSON() throws {
        try start("badjson")
        try assertRefused(["pull", image], containing: "invalid JSON")
    }

    func testWrongManifestMediaType() throws {
        try start("wrongtype")
        try assertRefused(["pull", image], containing: "unsupported manifest media type")
    }

    func testUnknownLayerCompression() throws {
        try start("bzip2layer")
        try assertRefused(["pull", image], containing: "unsupported layer media type \"application/vnd.oci.image.layer.v1.tar+bzip2\"")
    }

    func testNotFound() throws {
        try start("plain")
        try assertRefused(["pull", "127.0.0.1:\(port)/app:nothere"], containing: "not found")
        XCTAssertEqual(try minidock(["pull", image]).status, 0, "the same server serves what it has")
    }
}
