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
}
