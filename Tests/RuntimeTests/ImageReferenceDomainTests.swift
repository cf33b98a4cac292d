@testable import Runtime
import XCTest

/// One registry rule for image names and search terms.
final class ImageReferenceDomainTests: XCTestCase {
    func testSplitDomain() {
        for (text, domain, rest) in [("busybox", nil, "busybox"), ("team/app", nil, "team/app"),
                                     ("localhost/app", "localhost", "app"), ("localhost:5000/team/app", "localhost:5000", "team/app"),
                                     ("127.0.0.1:5000/bb", "127.0.0.1:5000", "bb"), ("ghcr.io/x/y", "ghcr.io", "x/y")] as [(String, String?, String)] {
            let split = ImageReference.splitDomain(text)
            XCTAssertEqual(split.domain, domain, text)
            XCTAssertEqual(split.remainder, rest, text)
        }
        // An image name and a search term agree.
        XCTAssertEqual(try ImageReference(parsing: "localhost:5000/team/app").domain, ImageReference.splitDomain("localhost:5000/team/app").domain)
    }
}
