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
        // Docker's columns: at least 10 wide, three spaces past the longest cell. CREATED's width
        // depends on the clock ("Less than a second ago", "2 seconds ago"), so check by offset.
        XCTAssertTrue(lines[0].hasPrefix("REPOSITORY   TAG       IMAGE ID       CREATED"), lines[0])
        XCTAssertTrue(lines[1].hasPrefix("busybox      latest    \(id.dropFirst(7).prefix(12))   "), lines[1])
        let sizeColumn = try XCTUnwrap(lines[0].range(of: "SIZE")).lowerBound.utf16Offset(in: lines[0])
        XCTAssertTrue(lines[1].dropFirst(sizeColumn).hasSuffix("MB"), "SIZE lines up: \(lines)")
        XCTAssertTrue(lines[1].dropFirst(sizeColumn - 3).hasPrefix("   "), "three spaces before SIZE: \(lines)")
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
        // CREATED's width depends on the clock; the other columns are fixed by their cells.
        XCTAssertTrue(lines[0].hasPrefix("IMAGE          CREATED "), lines[0])
        XCTAssertTrue(lines[0].hasSuffix("CREATED BY        SIZE      COMMENT"), lines[0])
        XCTAssertTrue(lines[1].hasPrefix(String(id.dropFirst(7).prefix(12))))
        XCTAssertTrue(lines[1].contains("minidock import"))
    }
}

extension ImageCommandTests {
    /// A two-layer docker-archive made by hand — busybox, then a layer that deletes /linuxrc,
    /// adds /etc/motd and makes /usr/local/bin opaque — loaded, then exported flat.
    func twoLayerArchive() throws -> String {
        let build = work.appendingPathComponent("build")
        try FileManager.default.createDirectory(at: build.appendingPathComponent("changes/etc"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: build.appendingPathComponent("changes/usr/local/bin"), withIntermediateDirectories: true)
        try "motd\n".write(to: build.appendingPathComponent("changes/etc/motd"), atomically: true, encoding: .utf8)
        for marker in ["changes/.wh.linuxrc", "changes/usr/local/bin/.wh..wh..opq"] {
            FileManager.default.createFile(atPath: build.appendingPathComponent(marker).path, contents: Data())
        }
        try "hello\n".write(to: build.appendingPathComponent("changes/usr/local/bin/hello"), atomically: true, encoding: .utf8)
        let archive = build.appendingPathComponent("archive")
        try FileManager.default.createDirectory(at: archive, withIntermediateDirectories: true)
        XCTAssertEqual(try run("/bin/tar", ["-cf", archive.appendingPathComponent("base.tar").path, "-C", Self.fixture.path, "."]).status, 0)
        XCTAssertEqual(try run("/bin/tar", ["-cf", archive.appendingPathComponent("changes.tar").path, "-C",
                                            build.appendingPathComponent("changes").path, "."]).status, 0)
        func sha256(_ file: String) throws -> String {
            String(try run("/usr/bin/sha256sum", [archive.appendingPathComponent(file).path]).stdout.prefix(64))
        }
        let config = """
        {"architecture":"amd64","os":"linux","config":{"Env":["PATH=/bin"]},\
        "rootfs":{"type":"layers","diff_ids":["sha256:\(try sha256("base.tar"))","sha256:\(try sha256("changes.tar"))"]},\
        "history":[{"created_by":"base"},{"created_by":"changes"}]}
        """
        try config.write(to: archive.appendingPathComponent("config.json"), atomically: true, encoding: .utf8)
        try #"[{"Config":"config.json","RepoTags":["layered:2"],"Layers":["base.tar","changes.tar"]}]"#
            .write(to: archive.appendingPathComponent("manifest.json"), atomically: true, encoding: .utf8)
        let output = work.appendingPathComponent("layered.tar").path
        XCTAssertEqual(try run("/bin/tar", ["-cf", output, "-C", archive.path, "manifest.json", "config.json", "base.tar", "changes.tar"]).status, 0)
        return output
    }

    func testLoadTwoLayersThenExportFlattened() throws {
        let load = try minidock(["load", "-i", try twoLayerArchive()])
        XCTAssertEqual(load.status, 0, load.stderr)
        XCTAssertEqual(load.stdout, "Loaded image: layered:2\n")
        XCTAssertEqual(try minidock(["history", "-q", "layered:2"]).stdout.split(separator: "\n").count, 2)

        let flat = work.appendingPathComponent("flat.tar").path
        let export = try minidock(["export", "-o", flat, "layered:2"])
        XCTAssertEqual(export.status, 0, export.stderr)
        let names = Set(try run("/bin/tar", ["-tf", flat]).stdout.split(separator: "\n").map { String($0) })
        XCTAssertTrue(names.contains("etc/motd") && names.contains("bin/busybox") && names.contains("usr/local/bin/hello"))
        XCTAssertFalse(names.contains("linuxrc"), "deleted by the upper layer")
        XCTAssertFalse(names.contains("usr/local/bin/breakout"), "hidden by the opaque directory")
        XCTAssertFalse(names.contains { $0.contains(".wh.") }, "a flattened root has no whiteouts")
        // The export's mount lived in a child's namespace only.
        XCTAssertFalse(try String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8).contains(root.path))
    }

    func testImportOfAZstdTarball() throws {
        let tarball = work.appendingPathComponent("rootfs.tar.zst").path
        XCTAssertEqual(try run("/bin/tar", ["--zstd", "-cf", tarball, "-C", Self.fixture.path, "."]).status, 0)
        let result = try minidock(["import", tarball, "zst"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(try minidock(["images"]).stdout.contains("zst "))
    }
}

extension ImageCommandTests {
    /// An archive without names loads as `<none>`, as Docker's does, and stays until removed by ID.
    func testUntaggedArchiveLoadsAsNone() throws {
        let id = try importBusybox()
        let saved = work.appendingPathComponent("bb.tar").path
        try minidock(["save", "-o", saved, "busybox"])
        let unnamed = work.appendingPathComponent("unnamed-oci.tar").path
        XCTAssertEqual(try run("/usr/bin/skopeo", ["copy", "-q", "docker-archive:\(saved)", "oci-archive:\(unnamed)"]).status, 0)
        try minidock(["rmi", "busybox"])
        XCTAssertEqual(blobs, [])

        let load = try minidock(["load", "-i", unnamed])
        XCTAssertEqual(load.status, 0, load.stderr)
        XCTAssertTrue(load.stdout.hasPrefix("Loaded image ID: sha256:"), load.stdout)
        let loadedID = String(load.stdout.dropFirst("Loaded image ID: ".count).prefix(71))
        let listing = try minidock(["images"]).stdout.split(separator: "\n")
        XCTAssertTrue(listing[1].hasPrefix("<none>       <none>    \(loadedID.dropFirst(7).prefix(12))"), "\(listing)")
        XCTAssertFalse(blobs.isEmpty)

        let rmi = try minidock(["rmi", String(loadedID.dropFirst(7).prefix(12))])
        XCTAssertEqual(rmi.status, 0, rmi.stderr)
        XCTAssertEqual(rmi.stdout, "Deleted: \(loadedID)\n")
        XCTAssertEqual(blobs, [])
        XCTAssertNotEqual(id, "")
    }
}
