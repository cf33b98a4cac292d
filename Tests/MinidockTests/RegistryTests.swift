import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import TestSupport
import XCTest

/// pull, push, login and search against real registries on 127.0.0.1 that each test starts.
final class RegistryTests: StoreTestCase {
    var registry: LocalRegistry!

    override func tearDown() {
        registry?.stop()
        registry = nil
        super.tearDown()
    }

    /// An archive of the busybox fixture, made with minidock itself, then the store emptied.
    func busyboxArchive() throws -> String {
        _ = try importBusybox()
        let archive = work.appendingPathComponent("busybox.tar").path
        XCTAssertEqual(try minidock(["save", "-o", archive, "busybox"]).status, 0)
        XCTAssertEqual(try minidock(["rmi", "busybox"]).status, 0)
        return archive
    }

    func field(_ prefix: String, _ text: String) -> String? {
        text.split(separator: "\n").first { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }
    }

    func testPullThenPushPullsBackIdentical() throws {
        registry = try LocalRegistry(in: root)
        try registry.push(archive: try busyboxArchive(), as: "library/busybox:latest")

        let pull = try minidock(["pull", "\(registry.host)/library/busybox"])
        XCTAssertEqual(pull.status, 0, pull.stderr)
        XCTAssertTrue(pull.stdout.hasPrefix("latest: Pulling from library/busybox\n"), pull.stdout)
        XCTAssertTrue(pull.stdout.contains(": Pull complete\n"), pull.stdout)
        XCTAssertTrue(pull.stdout.hasSuffix("\(registry.host)/library/busybox:latest\n"), pull.stdout)
        XCTAssertTrue(try minidock(["pull", "\(registry.host)/library/busybox"]).stdout.contains("Status: Image is up to date"))

        XCTAssertEqual(try minidock(["tag", "\(registry.host)/library/busybox", "\(registry.host)/team/bb:v1"]).status, 0)
        let push = try minidock(["push", "\(registry.host)/team/bb:v1"])
        XCTAssertEqual(push.status, 0, push.stderr)
        XCTAssertTrue(push.stdout.hasPrefix("The push refers to repository [\(registry.host)/team/bb]\n"), push.stdout)
        let pushed = try XCTUnwrap(field("v1: digest: ", push.stdout)?.split(separator: " ").first.map(String.init))
        let imageID = try minidock(["images", "-q"]).stdout

        // Again: every blob is already there.
        XCTAssertTrue(try minidock(["push", "\(registry.host)/team/bb:v1"]).stdout.contains("Layer already exists"))

        XCTAssertEqual(try minidock(["rmi", "\(registry.host)/team/bb:v1", "\(registry.host)/library/busybox"]).status, 0)
        XCTAssertEqual(blobs, [])
        let back = try minidock(["pull", "\(registry.host)/team/bb:v1"])
        XCTAssertEqual(back.status, 0, back.stderr)
        XCTAssertEqual(field("Digest: ", back.stdout), pushed, "the same manifest digest comes back")
        XCTAssertEqual(try minidock(["images", "-q"]).stdout, imageID, "and the same image ID")

        let search = try minidock(["search", "\(registry.host)/bb"])
        XCTAssertEqual(search.stdout.split(separator: "\n").dropFirst().map { $0.split(separator: " ").first.map(String.init) ?? "" },
                       ["\(registry.host)/team/bb"])
    }

    func testPullByDigestAndAWrongDigestIsRefused() throws {
        registry = try LocalRegistry(in: root)
        try registry.push(archive: try busyboxArchive(), as: "app:1")
        let digest = try XCTUnwrap(field("Digest: ", try minidock(["pull", "-q", "\(registry.host)/app:1"]).stdout + "")
            ?? field("Digest: ", try minidock(["pull", "\(registry.host)/app:1"]).stdout))
        XCTAssertEqual(try minidock(["rmi", "\(registry.host)/app:1"]).status, 0)

        let byDigest = try minidock(["pull", "\(registry.host)/app@\(digest)"])
        XCTAssertEqual(byDigest.status, 0, byDigest.stderr)
        XCTAssertTrue(try minidock(["images", "--digests"]).stdout.contains("<none>"))

        let wrong = "sha256:" + String(repeating: "0", count: 64)
        let refused = try minidock(["pull", "\(registry.host)/app@\(wrong)"])
        XCTAssertEqual(refused.status, 1)
        XCTAssertEqual(refused.stderr.split(separator: "\n").count, 1, refused.stderr)
    }

    /// A layer whose bytes were changed in the registry's storage fails verification:
    /// the pull fails and nothing of it stays in the store.
    func testCorruptedBlobIsRefusedAndNothingIsStored() throws {
        registry = try LocalRegistry(in: root)
        try registry.push(archive: try busyboxArchive(), as: "app:1")
        let data = registry.directory.appendingPathComponent("data/docker/registry/v2/blobs/sha256")
        let blobFiles = registry.storedFiles.filter { $0.hasPrefix("docker/registry/v2/blobs/sha256/") && $0.hasSuffix("/data") }
            .map { registry.directory.appendingPathComponent("data/" + $0) }
        XCTAssertFalse(data.path.isEmpty)
        let largest = try XCTUnwrap(blobFiles.max { (try? FileManager.default.attributesOfItem(atPath: $0.path)[.size] as? Int ?? 0) ?? 0 < (try? FileManager.default.attributesOfItem(atPath: $1.path)[.size] as? Int ?? 0) ?? 0 })
        let handle = try FileHandle(forWritingTo: largest)
        try handle.seek(toOffset: 100)
        handle.write(Data("corrupted".utf8))
        try handle.close()

        let pull = try minidock(["pull", "\(registry.host)/app:1"])
        XCTAssertEqual(pull.status, 1)
        XCTAssertTrue(pull.stderr.contains("refusing"), pull.stderr)
        XCTAssertEqual(pull.stderr.split(separator: "\n").count, 1, pull.stderr)
        XCTAssertEqual(try minidock(["images", "-q"]).stdout, "")
        let temporary = root.appendingPathComponent("store/images/tmp").path
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: temporary), [], "no half-written download left")
        XCTAssertFalse(blobs.contains { b in (try? FileManager.default.attributesOfItem(atPath: root.appendingPathComponent("store/images/blobs/sha256/\(b)").path)[.size] as? Int) ?? 0 > 100_000 },
                       "no layer stored")
    }

    func testTLSWithBasicAuthAndLogin() throws {
        registry = try LocalRegistry(in: root, tls: true, auth: .htpasswd(user: "alice", password: "s3cret"))
        let archive = try busyboxArchive()
        _ = try LocalRegistry.run("/usr/bin/skopeo", ["copy", "-q", "--dest-creds", "alice:s3cret", "--dest-cert-dir",
                                                      registry.caCertificate!.deletingLastPathComponent().path, "docker-archive:\(archive)", "docker://\(registry.host)/app:1"])
        // Trust the test's CA for this registry, in Docker's certs.d layout.
        let certs = root.appendingPathComponent("store/certs.d/\(registry.host)")
        try FileManager.default.createDirectory(at: certs, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: registry.caCertificate!, to: certs.appendingPathComponent("ca.crt"))

        let anonymous = try minidock(["pull", "\(registry.host)/app:1"])
        XCTAssertEqual(anonymous.status, 1)
        XCTAssertTrue(anonymous.stderr.contains("unauthorized"), anonymous.stderr)

        let config = root.appendingPathComponent("docker-config/config.json")
        let wrong = try minidock(["login", "-u", "alice", "-p", "wrong", registry.host])
        XCTAssertEqual(wrong.status, 1)
        XCTAssertFalse(FileManager.default.fileExists(atPath: config.path), "wrong credentials are not stored")

        let login = try minidock(["login", "-u", "alice", "-p", "s3cret", registry.host])
        XCTAssertEqual(login.status, 0, login.stderr)
        XCTAssertEqual(login.stdout, "Login Succeeded\n")
        let stored = try JSONSerialization.jsonObject(with: Data(contentsOf: config)) as? [String: Any]
        let auth = ((stored?["auths"] as? [String: Any])?[registry.host] as? [String: Any])?["auth"] as? String
        XCTAssertEqual(auth, Data("alice:s3cret".utf8).base64EncodedString(), "Docker's own format")
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: config.path)[.posixPermissions] as? Int, 0o600)

        let pull = try minidock(["pull", "\(registry.host)/app:1"])
        XCTAssertEqual(pull.status, 0, pull.stderr)

        XCTAssertEqual(try minidock(["logout", registry.host]).stdout, "Removing login credentials for \(registry.host)\n")
        XCTAssertEqual(try minidock(["pull", "\(registry.host)/app:1"]).status, 1)
    }

    func testWithoutTheCAHTTPSIsRefused() throws {
        registry = try LocalRegistry(in: root, tls: true)
        let pull = try minidock(["pull", "\(registry.host)/app:1"])
        XCTAssertEqual(pull.status, 1)
        XCTAssertEqual(pull.stderr.split(separator: "\n").count, 1, pull.stderr)
    }

    func testTwoPullsAtOnceStoreOneCopy() throws {
        registry = try LocalRegistry(in: root)
        try registry.push(archive: try busyboxArchive(), as: "app:1")
        let processes = (0..<2).map { _ -> Process in
            let process = Process()
            process.executableURL = URL(fileURLWithPath: MinidockCLITests.binary)
            process.arguments = ["pull", "-q", "\(registry.host)/app:1"]
            process.environment = ProcessInfo.processInfo.environment.merging(["MINIDOCK_ROOT": root.appendingPathComponent("store").path]) { $1 }
            process.standardOutput = FileHandle.nullDevice
            return process
        }
        try processes.forEach { try $0.run() }
        processes.forEach { $0.waitUntilExit() }
        XCTAssertEqual(processes.map(\.terminationStatus), [0, 0])
        XCTAssertEqual(blobs.count, 4, "one manifest, one config, one layer as plain tar and as pulled (gzip, kept for push)")
        let distribution = try JSONSerialization.jsonObject(with: Data(contentsOf: root.appendingPathComponent("store/images/distribution.json")))
        XCTAssertEqual((distribution as? [String: [Any]])?.values.map(\.count), [1], "one compressed form recorded once")
        XCTAssertEqual(try minidock(["images", "-q"]).stdout.split(separator: "\n").count, 1)
    }

    func testUnknownTagAndUnreachableRegistry() throws {
        registry = try LocalRegistry(in: root)
        let unknown = try minidock(["pull", "\(registry.host)/nothere:1"])
        XCTAssertEqual(unknown.status, 1)
        XCTAssertTrue(unknown.stderr.contains("not found"), unknown.stderr)
        XCTAssertEqual(unknown.stderr.split(separator: "\n").count, 1)
        let port = try LocalRegistry.freePort()
        let unreachable = try minidock(["pull", "127.0.0.1:\(port)/app"])
        XCTAssertEqual(unreachable.status, 1)
        XCTAssertEqual(unreachable.stderr.split(separator: "\n").count, 1, unreachable.stderr)
        XCTAssertEqual(try minidock(["pull", "Bad/Name"]).status, 1)
        XCTAssertEqual(blobs, [])
    }
}

extension RegistryTests {
    /// A multi-platform index in a real registry: pull picks linux/amd64, --platform the other.
    func testIndexResolvesToThePlatform() throws {
        registry = try LocalRegistry(in: root)
        let amd64 = try importBusybox("\(registry.host)/multi:amd64")
        let arm64Result = try minidock(["import", "--platform", "linux/arm64", Self.fixture.path, "\(registry.host)/multi:arm64"])
        XCTAssertEqual(arm64Result.status, 0, arm64Result.stderr)
        let arm64 = arm64Result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        var entries: [[String: Any]] = []
        for (tag, architecture) in [("amd64", "amd64"), ("arm64", "arm64")] {
            let push = try minidock(["push", "\(registry.host)/multi:\(tag)"])
            XCTAssertEqual(push.status, 0, push.stderr)
            let line = try XCTUnwrap(push.stdout.split(separator: "\n").last.map(String.init))
            let parts = line.split(separator: " ")  // "<tag>: digest: sha256:… size: N"
            entries.append(["mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": String(parts[2]),
                            "size": Int(parts[4])!, "platform": ["os": "linux", "architecture": architecture]])
        }
        let index: [String: Any] = ["schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": entries]
        try putManifest(JSONSerialization.data(withJSONObject: index), name: "multi", tag: "latest",
                        type: "application/vnd.oci.image.index.v1+json")
        XCTAssertEqual(try minidock(["rmi", "\(registry.host)/multi:amd64", "\(registry.host)/multi:arm64"]).status, 0)

        XCTAssertEqual(try minidock(["pull", "-q", "\(registry.host)/multi"]).status, 0)
        XCTAssertEqual(try minidock(["images", "-q", "--no-trunc"]).stdout, "\(amd64)\n")
        XCTAssertEqual(try minidock(["rmi", "\(registry.host)/multi"]).status, 0)
        XCTAssertEqual(try minidock(["pull", "-q", "--platform", "linux/arm64", "\(registry.host)/multi"]).status, 0)
        XCTAssertEqual(try minidock(["images", "-q", "--no-trunc"]).stdout, "\(arm64)\n")
        let none = try minidock(["pull", "--platform", "linux/s390x", "\(registry.host)/multi"])
        XCTAssertEqual(none.status, 1)
        XCTAssertTrue(none.stderr.contains("no matching manifest for linux/s390x"), none.stderr)
    }

    func putManifest(_ body: Data, name: String, tag: String, type: String) throws {
        var request = URLRequest(url: URL(string: "http://\(registry.host)/v2/\(name)/manifests/\(tag)")!)
        request.httpMethod = "PUT"
        request.setValue(type, forHTTPHeaderField: "Content-Type")
        request.httpBody = body
        let done = DispatchSemaphore(value: 0)
        var status = 0
        URLSession.shared.dataTask(with: request) { _, response, _ in
            status = (response as? HTTPURLResponse)?.statusCode ?? 0
            done.signal()
        }.resume()
        done.wait()
        XCTAssertEqual(status, 201)
    }
}

extension RegistryTests {
    /// On a terminal, pull redraws one line per layer in place; through a pipe it prints plain lines.
    func testProgressOnATerminalOnly() throws {
        registry = try LocalRegistry(in: root)
        try registry.push(archive: try busyboxArchive(), as: "app:1")
        let environment = "MINIDOCK_ROOT=\(root.appendingPathComponent("store").path)"
        // util-linux's script(1) gives the command a pseudo-terminal.
        let onTerminal = try run("/usr/bin/script", ["-qec", "env \(environment) \(MinidockCLITests.binary) pull \(registry.host)/app:1", "/dev/null"])
        XCTAssertEqual(onTerminal.status, 0, onTerminal.stdout)
        XCTAssertTrue(onTerminal.stdout.contains("\u{1B}[2K"), "redrawn in place")
        XCTAssertTrue(onTerminal.stdout.contains("Pull complete"), onTerminal.stdout)

        XCTAssertEqual(try minidock(["rmi", "\(registry.host)/app:1"]).status, 0)
        let piped = try minidock(["pull", "\(registry.host)/app:1"])
        XCTAssertFalse(piped.stdout.contains("\u{1B}"), "no control characters in a pipe")
        XCTAssertFalse(piped.stdout.contains("Downloading"))
    }
}
