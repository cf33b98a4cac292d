import Foundation
@testable import Runtime
import SystemPackage
import XCTest

final class SpecTests: XCTestCase {
    /// The spec model decodes what a real runtime writes: `runc spec` (installed by make test).
    func testDecodesRuncSpecOutput() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("spec-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let runc = Process()
        runc.executableURL = URL(fileURLWithPath: "/usr/sbin/runc")
        runc.arguments = ["spec"]
        runc.currentDirectoryURL = directory
        try runc.run()
        runc.waitUntilExit()
        XCTAssertEqual(runc.terminationStatus, 0)

        let spec = try Spec.load(from: FilePath(directory.appendingPathComponent("config.json").path))
        XCTAssertTrue(spec.ociVersion.hasPrefix("1."))
        XCTAssertEqual(spec.process?.args, ["sh"])
        XCTAssertEqual(spec.process?.cwd, "/")
        XCTAssertEqual(spec.process?.terminal, true)
        XCTAssertEqual(spec.process?.user, Spec.User(uid: 0, gid: 0))
        XCTAssertTrue(spec.process?.env?.contains { $0.hasPrefix("PATH=") } ?? false)
        XCTAssertTrue(spec.process?.capabilities?.bounding?.contains("CAP_KILL") ?? false)
        XCTAssertEqual(spec.root, Spec.Root(path: "rootfs", readonly: true))
        XCTAssertEqual(spec.hostname, "runc")
        XCTAssertEqual(spec.mounts?.first?.destination, "/proc")
        XCTAssertEqual(spec.mounts?.first?.type, "proc")
        XCTAssertEqual(Set(spec.linux?.namespaces?.map(\.type) ?? []), [.pid, .network, .ipc, .uts, .mount])
        XCTAssertTrue(spec.linux?.maskedPaths?.contains("/proc/kcore") ?? false)
        XCTAssertEqual(CloneFlags(newNamespacesOf: spec), [.newPID, .newNetwork, .newIPC, .newUTS, .newMount])
    }

    func testRoundTripsThroughJSON() throws {
        let spec = Spec.container(args: ["sh", "-c", "echo hi"], rootfs: "/tmp/rootfs", hostname: "box")
        XCTAssertEqual(try Spec.decode(try spec.encoded()), spec)
    }

    func testJoiningANamespaceByPathIsNotCreatingOne() {
        let spec = Spec(linux: .init(namespaces: [.init(type: .pid), .init(type: .network, path: "/proc/1/ns/net")]))
        XCTAssertEqual(CloneFlags(newNamespacesOf: spec), .newPID)
    }

    func testMalformedJSONIsOneLineNamingTheFile() {
        XCTAssertThrowsError(try Spec.decode(Array("{\"ociVersion\": ".utf8), source: "/x/config.json")) { error in
            XCTAssertEqual("\(error)", "\"/x/config.json\": invalid JSON")
        }
    }

    func testMissingAndMistypedFieldsAreNamed() {
        XCTAssertThrowsError(try Spec.decode(Array(#"{"ociVersion":"1.0.2","process":{"args":["sh"]}}"#.utf8))) { error in
            XCTAssertEqual("\(error)", "\"config.json\": missing field \"process.cwd\"")
        }
        XCTAssertThrowsError(try Spec.decode(Array(#"{"ociVersion":"1.0.2","process":{"args":"sh","cwd":"/"}}"#.utf8))) { error in
            XCTAssertTrue("\(error)".hasPrefix("\"config.json\": process.args: expected"), "\(error)")
        }
        XCTAssertThrowsError(try Spec.decode(Array(#"{"ociVersion":"1","linux":{"namespaces":[{"type":"bogus"}]}}"#.utf8))) { error in
            XCTAssertEqual("\(error)", "\"config.json\": linux.namespaces[0].type: invalid value")
        }
    }

    func testMissingConfigFileIsOneLine() {
        XCTAssertThrowsError(try Spec.load(from: "/nonexistent/config.json")) { error in
            XCTAssertEqual("\(error)", "open \"/nonexistent/config.json\": ENOENT")
        }
    }
}
