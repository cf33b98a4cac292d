import Foundation
import XCTest

/// The image commands end to end: a real store under a temporary MINIDOCK_ROOT, archives
/// checked with skopeo (installed by make test), the store's files checked on disk.
final class ImageCommandTests: StoreTestCase {
    func testImportListsWithDockersColumns() throws {
        let id = try importBusybox()
        XCTAssertTrue(id.hasPrefix("sha256:") && id.count == 71, id)
        // The image ID is the digest of the config blob, which is in the store under that name.
        XCTAssertTrue(blobs.contains(String(id.dropFirst(7))))

        let images = try minidock(["images"])
        let lines = images.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.first, "REPOSITORY   TAG       IMAGE ID       CREATED                  SIZE")
        XCTAssertTrue(lines[1].hasPrefix("busybox      latest    \(id.dropFirst(7).prefix(12))   "), lines[1])
        XCTAssertEqual(try minidock(["images", "-q"]).stdout, "\(id.dropFirst(7).prefix(12))\n")
        XCTAssertTrue(try minidock(["images", "--digests"]).stdout.contains("DIGEST"))
    }

    func testImportOfATarballAndFromStandardInput() throws {
        let tarball = work.appendingPathComponent("rootfs.tar.gz")
        XCTAssertEqual(try run("/bin/tar", ["-czf", tarball.path, "-C", Self.fixture.path, "."]).status, 0)
        XCTAssertEqual(try minidock(["import", tarball.path, "fromgz:1"]).status, 0)
        XCTAssertEqual(try minidock(["import", "-", "fromstdin"], stdin: tarball).status, 0)
        let listing = try minidock(["images"]).stdout
        XCTAssertTrue(listing.contains("fromgz ") && listing.contains("fromstdin "), listing)
    }

    func testTagAndRmiRemoveOnlyWhatNothingUses() throws {
        let id = try importBusybox()
        XCTAssertEqual(try minidock(["tag", "busybox", "localhost:5000/team/bb:v1"]).status, 0)
        XCTAssertTrue(try minidock(["images"]).stdout.contains("localhost:5000/team/bb   v1 "))

        // Untagging one name keeps the image: the other name still uses every blob.
        let first = try minidock(["rmi", "busybox"])
        XCTAssertEqual(first.stdout, "Untagged: busybox:latest\n")
        XCTAssertEqual(blobs.count, 3, "manifest, config, layer")
        let layers = root.appendingPathComponent("store/images/layers").path
        let second = try minidock(["rmi", "localhost:5000/team/bb:v1"])
        XCTAssertEqual(second.stdout, "Untagged: localhost:5000/team/bb:v1\nDeleted: \(id)\n")
        XCTAssertEqual(blobs, [])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: layers), [])
    }

    func testRmiByImageIDRemovesEveryTag() throws {
        let id = try importBusybox()
        try minidock(["tag", "busybox", "other"])
        let result = try minidock(["rmi", String(id.dropFirst(7).prefix(12))])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("Untagged: busybox:latest") && result.stdout.contains("Untagged: other:latest"))
        XCTAssertTrue(result.stdout.contains("Deleted: \(id)"))
    }

    /// `save` writes a docker-archive that skopeo reads, with the same layer digest as the store.
    func testSaveIsADockerArchiveSkopeoAccepts() throws {
        _ = try importBusybox()
        let archive = work.appendingPathComponent("bb.tar").path
        XCTAssertEqual(try minidock(["save", "-o", archive, "busybox"]).status, 0)
        let inspect = try run("/usr/bin/skopeo", ["inspect", "docker-archive:\(archive)"])
        XCTAssertEqual(inspect.status, 0)
        let json = try JSONSerialization.jsonObject(with: Data(inspect.stdout.utf8)) as? [String: Any]
        let layers = json?["Layers"] as? [String] ?? []
        XCTAssertEqual(layers.count, 1)
        XCTAssertTrue(blobs.contains(String(layers[0].dropFirst(7))), "the archive's layer is the stored blob")
        XCTAssertEqual(json?["Os"] as? String, "linux")
    }

    /// Archives made by skopeo load: a docker-archive and an OCI archive, names kept.
    func testLoadArchivesMadeBySkopeo() throws {
        let id = try importBusybox()
        let saved = work.appendingPathComponent("bb.tar").path
        try minidock(["save", "-o", saved, "busybox"])
        let dockerArchive = work.appendingPathComponent("skopeo-docker.tar").path
        let ociArchive = work.appendingPathComponent("skopeo-oci.tar").path
        XCTAssertEqual(try run("/usr/bin/skopeo", ["copy", "-q", "docker-archive:\(saved)", "docker-archive:\(dockerArchive):copied:v2"]).status, 0)
        XCTAssertEqual(try run("/usr/bin/skopeo", ["copy", "-q", "docker-archive:\(saved)", "oci-archive:\(ociArchive):ocibox:v3"]).status, 0)
        try minidock(["rmi", "busybox"])

        let docker = try minidock(["load", "-i", dockerArchive])
        XCTAssertEqual(docker.status, 0, docker.stderr)
        XCTAssertEqual(docker.stdout, "Loaded image: copied:v2\n")
        let oci = try minidock(["load"], stdin: URL(fileURLWithPath: ociArchive))
        XCTAssertEqual(oci.status, 0, oci.stderr)
        XCTAssertEqual(oci.stdout, "Loaded image: ocibox:v3\n")
        let listing = try minidock(["images"]).stdout
        XCTAssertTrue(listing.contains("copied ") && listing.contains("ocibox "), listing)
        // The docker-archive kept the config byte for byte: same image ID.
        XCTAssertTrue(listing.contains(String(id.dropFirst(7).prefix(12))), listing)
    }

    func testBadInputIsOneLineAndStoresNothing() throws {
        let garbage = work.appendingPathComponent("garbage.tar")
        try "not an archive".write(to: garbage, atomically: true, encoding: .utf8)
        for (arguments, text) in [(["load", "-i", garbage.path], "archive"),
                                  (["import", garbage.path, "x"], "layer"),
                                  (["rmi", "nothere"], "no such image"),
                                  (["tag", "nothere", "x"], "no such image"),
                                  (["import", Self.fixture.path, "Bad:Name"], "invalid reference format"),
                                  (["history", "nothere"], "no such image")] {
            let result = try minidock(arguments)
            XCTAssertEqual(result.status, 1, "\(arguments): \(result.stderr)")
            XCTAssertEqual(result.stderr.split(separator: "\n").count, 1, "\(arguments): \(result.stderr)")
            XCTAssertTrue(result.stderr.lowercased().contains(text), "\(arguments): \(result.stderr)")
        }
        XCTAssertEqual(blobs, [])
        XCTAssertEqual(try minidock(["images", "--bogus"]).status, 125)
    }

    func testHistory() throws {
        let id = try importBusybox()
        let history = try minidock(["history", "busybox"])
        let lines = history.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.first, "IMAGE          CREATED                  CREATED BY        SIZE      COMMENT")
        XCTAssertTrue(lines[1].hasPrefix(String(id.dropFirst(7).prefix(12))))
        XCTAssertTrue(lines[1].contains("minidock import"))
    }
}
