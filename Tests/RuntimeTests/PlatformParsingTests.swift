@testable import Runtime
import XCTest

/// `--platform` parsed once, for pull and import alike, with containerd's spellings.
final class PlatformParsingTests: XCTestCase {
    func parse(_ text: String) throws -> String { try Platform(parsing: text).formatted }

    func testForms() throws {
        XCTAssertEqual(try parse("linux/amd64"), "linux/amd64")
        XCTAssertEqual(try parse("linux/arm64/v8"), "linux/arm64", "v8 is arm64's only variant")
        XCTAssertEqual(try parse("linux/arm/v6"), "linux/arm/v6")
        XCTAssertEqual(try parse("linux/arm"), "linux/arm/v7", "arm means v7")
        XCTAssertEqual(try parse("Linux/X86_64"), "linux/amd64")
        XCTAssertEqual(try parse("linux/aarch64"), "linux/arm64")
        XCTAssertEqual(try parse("linux"), "linux/amd64", "an OS alone: this machine's architecture")
        XCTAssertEqual(try parse("arm64"), "linux/arm64", "an architecture alone: on linux")
        for bad in ["", "/", "linux/", "linux//v7", "a/b/c/d", "linux/amd 64"] {
            XCTAssertThrowsError(try Platform(parsing: bad), bad) { error in
                XCTAssertEqual("\(error)", "invalid platform \(quoted(bad)): expected os[/arch[/variant]]")
            }
        }
    }

    func testMatching() throws {
        let amd64 = Platform(architecture: "amd64", os: "linux")
        XCTAssertTrue(try Platform(parsing: "linux/x86_64").matches(amd64))
        XCTAssertFalse(try Platform(parsing: "linux/arm64").matches(amd64))
        XCTAssertTrue(try Platform(parsing: "linux/arm64").matches(Platform(architecture: "aarch64", os: "linux", variant: "v8")))
        XCTAssertFalse(try Platform(parsing: "linux/arm/v6").matches(Platform(architecture: "arm", os: "linux", variant: "v7")))
        XCTAssertFalse(try Platform(parsing: "windows/amd64").matches(amd64))
    }
}
