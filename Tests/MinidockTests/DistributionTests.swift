import Foundation
import TestSupport
import XCTest

/// pull and push as Docker's distribution code does them (issue 7, items 11 and 14), against a
/// real registry on 127.0.0.1: a platform asked for is checked on a single-manifest image; a
/// pushed image reuses the compressed layers its pull downloaded.
final class DistributionTests: StoreTestCase {
    var registry: LocalRegistry!

    override func tearDown() {
        registry?.stop()
        registry = nil
        super.tearDown()
    }

    /// An amd64 image that is one manifest (no index): `--platform linux/arm64` is refused in
    /// Docker's words and stores nothing; without `--platform` it pulls, as Docker's does.
    func testPlatformOfASingleManifestImageIsChecked() throws {
        registry = try LocalRegistry(in: root)
        let name = "\(registry.host)/single:1"
        _ = try importBusybox(name)
        XCTAssertEqual(try minidock(["push", name]).status, 0)
        XCTAssertEqual(try minidock(["rmi", name]).status, 0)
        XCTAssertEqual(blobs, [])

        let refused = try minidock(["pull", "--platform", "linux/arm64", name])
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.stderr.hasSuffix("minidock: image with reference \(name) was found but does not match the specified platform: "
                                               + "wanted linux/arm64, actual: linux/amd64\n"), refused.stderr)
        XCTAssertEqual(blobs, [], "nothing stored")
        let invalid = try minidock(["pull", "--platform", "linux/", name])
        XCTAssertEqual(invalid.status, 1)
        XCTAssertTrue(invalid.stderr.contains("invalid platform \"linux/\""), invalid.stderr)

        XCTAssertEqual(try minidock(["pull", "-q", "--platform", "linux/x86_64", name]).status, 0)
        XCTAssertEqual(try minidock(["rmi", name]).status, 0)
        XCTAssertEqual(try minidock(["pull", "-q", name]).status, 0)
    }

    /// `pull A; tag A B; push B` to the same registry: B's layers are A's blobs, mounted from A,
    /// not re-uploaded uncompressed under new digests.
    func testPushOfAPulledImageReusesItsCompressedLayers() throws {
        registry = try LocalRegistry(in: root)
        _ = try importBusybox()
        let archive = work.appendingPathComponent("busybox.tar").path
        XCTAssertEqual(try minidock(["save", "-o", archive, "busybox"]).status, 0)
        XCTAssertEqual(try minidock(["rmi", "busybox"]).status, 0)
        try registry.push(archive: archive, as: "library/a:1")  // skopeo gzips the layer
        let original = try registry.layers("library/a:1")
        XCTAssertEqual(original.count, 1)
        XCTAssertTrue(original[0].mediaType.hasSuffix("gzip"), original[0].mediaType)

        XCTAssertEqual(try minidock(["pull", "-q", "\(registry.host)/library/a:1"]).status, 0)
        XCTAssertEqual(try minidock(["tag", "\(registry.host)/library/a:1", "\(registry.host)/team/b:1"]).status, 0)
        let push = try minidock(["push", "\(registry.host)/team/b:1"])
        XCTAssertEqual(push.status, 0, push.stderr)
        XCTAssertTrue(push.stdout.contains(": Mounted from library/a\n"), push.stdout)
        XCTAssertEqual(try registry.layers("team/b:1").map(\.digest), original.map(\.digest), "the same compressed blobs")

        // Every blob of the image goes when the image goes, the compressed ones too.
        XCTAssertEqual(try minidock(["rmi", "\(registry.host)/library/a:1", "\(registry.host)/team/b:1"]).status, 0)
        XCTAssertEqual(blobs, [])
    }

    /// An image the store has only as plain tar layers (imported) is pushed gzipped, under the
    /// gzip media type; pulled back it is the same image; pushed again, the same blob.
    func testPushOfAnImportedImageGzipsItsLayers() throws {
        registry = try LocalRegistry(in: root)
        let name = "\(registry.host)/imported:1"
        let id = try importBusybox(name)
        let push = try minidock(["push", name])
        XCTAssertEqual(push.status, 0, push.stderr)
        let layers = try registry.layers("imported:1")
        XCTAssertEqual(layers.map(\.mediaType), ["application/vnd.oci.image.layer.v1.tar+gzip"])
        let config = try LocalRegistry.run("/usr/bin/skopeo", ["inspect", "--config", "--tls-verify=false", "docker://\(name)"])
        let diffIDs = ((try JSONSerialization.jsonObject(with: Data(config.utf8)) as? [String: Any])?["rootfs"] as? [String: Any])?["diff_ids"] as? [String]
        XCTAssertEqual(diffIDs?.count, 1)
        XCTAssertNotEqual(layers.map(\.digest), diffIDs ?? [], "a compressed blob, not the plain tar")

        let again = try minidock(["push", name])
        XCTAssertTrue(again.stdout.contains("\(layers[0].digest.dropFirst(7).prefix(12)): Layer already exists"), again.stdout)
        XCTAssertEqual(try registry.layers("imported:1").map(\.digest), layers.map(\.digest))

        XCTAssertEqual(try minidock(["rmi", name]).status, 0)
        XCTAssertEqual(blobs, [])
        XCTAssertEqual(try minidock(["pull", "-q", name]).status, 0)
        XCTAssertEqual(try minidock(["images", "-q", "--no-trunc"]).stdout, "\(id)\n", "the same image comes back")
    }
}
