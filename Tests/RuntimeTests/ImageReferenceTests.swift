@testable import Runtime
import XCTest

final class ImageReferenceTests: XCTestCase {
    func normalized(_ text: String) throws -> String { try ImageReference(parsing: text).description }

    func testNormalizedAsDockerDoes() throws {
        XCTAssertEqual(try normalized("busybox"), "docker.io/library/busybox:latest")
        XCTAssertEqual(try normalized("busybox:1.36"), "docker.io/library/busybox:1.36")
        XCTAssertEqual(try normalized("team/app"), "docker.io/team/app:latest")
        XCTAssertEqual(try normalized("localhost/app"), "localhost/app:latest")
        XCTAssertEqual(try normalized("localhost:5000/team/app:v2"), "localhost:5000/team/app:v2")
        XCTAssertEqual(try normalized("registry.example.com/app"), "registry.example.com/app:latest")
        XCTAssertEqual(try normalized("index.docker.io/busybox"), "docker.io/library/busybox:latest")
        let digest = "sha256:" + String(repeating: "ab", count: 32)
        XCTAssertEqual(try normalized("busybox@\(digest)"), "docker.io/library/busybox@\(digest)")
        XCTAssertEqual(try normalized("127.0.0.1:5000/a/b:t@\(digest)"), "127.0.0.1:5000/a/b:t@\(digest)")
    }

    func testFamiliarNames() throws {
        XCTAssertEqual(try ImageReference(parsing: "busybox").familiarRepository, "busybox")
        XCTAssertEqual(try ImageReference(parsing: "team/app").familiarRepository, "team/app")
        XCTAssertEqual(try ImageReference(parsing: "localhost:5000/app").familiarRepository, "localhost:5000/app")
    }

    func testMalformedReferencesAreRefused() {
        for bad in ["", "Busybox", "busybox:", "busybox:-x", "a//b", "-a", "a-", "busybox@sha256:abc", "host:99999/a",
                    "a:b:c", "busy box", String(repeating: "a", count: 256)] {
            XCTAssertThrowsError(try ImageReference(parsing: bad), bad) { error in
                XCTAssertTrue("\(error)".hasPrefix("invalid reference format"), "\(error)")
            }
        }
    }

    func testDigests() throws {
        XCTAssertEqual(Digest.of(Array("".utf8)).description,
                       "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(Digest.of(Array("abc".utf8)).hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertThrowsError(try Digest(parsing: "sha512:abc"))
        XCTAssertThrowsError(try Digest(parsing: "sha256:" + String(repeating: "A", count: 64)))
    }

    func testHumanTimes() {
        let now = Timestamp.parse("2026-11-29T12:00:00Z")!
        XCTAssertEqual(Timestamp.ago("2026-11-29T11:59:30Z", now: now), "30 seconds ago")
        XCTAssertEqual(Timestamp.ago("2026-11-29T09:00:00Z", now: now), "3 hours ago")
        XCTAssertEqual(Timestamp.ago("2026-11-01T12:00:00.123Z", now: now), "4 weeks ago")
        XCTAssertEqual(Timestamp.ago("garbage", now: now), "N/A")
    }
}
