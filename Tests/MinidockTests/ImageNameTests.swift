import Foundation
import XCTest

/// Names an archive gives its images, and removing names (issue 7, item 14): a digest-pinned
/// name must be pinned to what it names; a name that does not parse is an error, not an image
/// silently left unnamed; `rmi` of one of several names of an image a container uses is fine.
final class ImageNameTests: StoreTestCase {
    /// An OCI archive of busybox made by skopeo, unpacked, with its index entry's annotations
    /// replaced by `annotations`, packed again. Returns the archive and the entry's digest.
    func ociArchive(_ label: String, annotations: (String) -> [String: String]) throws -> (path: String, digest: String) {
        _ = try importBusybox()
        let saved = work.appendingPathComponent("bb.tar").path
        if !FileManager.default.fileExists(atPath: saved) { try minidock(["save", "-o", saved, "busybox"]) }
        try minidock(["rmi", "busybox"])
        let oci = work.appendingPathComponent("oci-\(label).tar").path
        XCTAssertEqual(try run("/usr/bin/skopeo", ["copy", "-q", "docker-archive:\(saved)", "oci-archive:\(oci)"]).status, 0)
        let directory = work.appendingPathComponent("oci-\(label)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        XCTAssertEqual(try run("/bin/tar", ["-xf", oci, "-C", directory.path]).status, 0)
        let indexFile = directory.appendingPathComponent("index.json")
        var index = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: indexFile)) as? [String: Any])
        var entries = try XCTUnwrap(index["manifests"] as? [[String: Any]])
        let digest = try XCTUnwrap(entries[0]["digest"] as? String)
        entries[0]["annotations"] = annotations(digest)
        index["manifests"] = entries
        try JSONSerialization.data(withJSONObject: index).write(to: indexFile)
        let output = work.appendingPathComponent("\(label).tar").path
        XCTAssertEqual(try run("/bin/tar", ["-cf", output, "-C", directory.path, "."]).status, 0)
        XCTAssertEqual(blobs, [])
        return (output, digest)
    }

    func testADigestPinnedNameMustNameItsOwnManifest() throws {
        let other = "sha256:" + String(repeating: "b", count: 64)
        let lying = try ociArchive("lying") { _ in ["io.containerd.image.name": "docker.io/library/pinned@\(other)"] }
        let refused = try minidock(["load", "-i", lying.path])
        XCTAssertEqual(refused.status, 1, refused.stderr)
        XCTAssertEqual(refused.stderr.split(separator: "\n").count, 1, refused.stderr)
        XCTAssertTrue(refused.stderr.contains("pinned@\(other)") && refused.stderr.contains("the digest does not match"), refused.stderr)
        XCTAssertEqual(blobs, [], "nothing stored")

        let honest = try ociArchive("honest") { ["io.containerd.image.name": "docker.io/library/pinned@\($0)"] }
        let loaded = try minidock(["load", "-i", honest.path])
        XCTAssertEqual(loaded.status, 0, loaded.stderr)
        XCTAssertEqual(loaded.stdout, "Loaded image: pinned@\(honest.digest)\n")
    }

    func testAnInvalidNameIsAnErrorNotAnUnnamedImage() throws {
        let bad = try ociArchive("bad") { _ in ["org.opencontainers.image.ref.name": "Bad:Name"] }
        let result = try minidock(["load", "-i", bad.path])
        XCTAssertEqual(result.status, 1, result.stdout)
        XCTAssertEqual(result.stderr.split(separator: "\n").count, 1, result.stderr)
        XCTAssertTrue(result.stderr.contains("\"Bad:Name\": invalid reference format"), result.stderr)
        XCTAssertEqual(blobs, [], "nothing stored")
        // A bare tag (the OCI layout's own use of ref.name) names no repository: untagged.
        let tagOnly = try ociArchive("tag") { _ in ["org.opencontainers.image.ref.name": "v3"] }
        XCTAssertTrue(try minidock(["load", "-i", tagOnly.path]).stdout.hasPrefix("Loaded image ID: sha256:"))
    }

    /// A container holds busybox (an in-use record of a live process: this test's); removing one
    /// of its two names is fine, removing the last is refused, as Docker does.
    func testRmiOfOneOfSeveralNamesWhileInUse() throws {
        _ = try importBusybox()
        XCTAssertEqual(try minidock(["tag", "busybox", "other"]).status, 0)
        let images = root.appendingPathComponent("store/images")
        let table = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: images.appendingPathComponent("repositories.json"))) as? [String: String])
        let manifest = try XCTUnwrap(table["docker.io/library/busybox:latest"]).dropFirst(7)
        let holder = images.appendingPathComponent("in-use/\(manifest)")
        try FileManager.default.createDirectory(at: holder, withIntermediateDirectories: true)
        // The record names its holder by PID and start time (field 22 of /proc/PID/stat).
        let stat = try String(contentsOfFile: "/proc/self/stat", encoding: .utf8)
        let start = stat[stat.range(of: ")", options: .backwards)!.upperBound...].split(separator: " ")[19]
        try "\(getpid())-\(start)".write(to: holder.appendingPathComponent("test-container"), atomically: true, encoding: .utf8)

        let first = try minidock(["rmi", "other"])
        XCTAssertEqual(first.status, 0, first.stderr)
        XCTAssertEqual(first.stdout, "Untagged: other:latest\n")
        let last = try minidock(["rmi", "busybox"])
        XCTAssertEqual(last.status, 1)
        XCTAssertTrue(last.stderr.contains("container test-container is using its referenced image"), last.stderr)
        XCTAssertTrue(try minidock(["images"]).stdout.contains("busybox "))
    }
}
