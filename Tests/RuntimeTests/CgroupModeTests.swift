import Foundation
@testable import Runtime
import SystemPackage
import XCTest

final class CgroupModeTests: XCTestCase {
    /// Detection by statfs agrees with what /proc/mounts says is mounted where.
    func testDetectionMatchesTheMountTable() throws {
        let mounts = try String(contentsOfFile: "/proc/mounts", encoding: .utf8)
            .split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        func isCgroup2(_ path: String) -> Bool { mounts.contains { $0.count > 2 && $0[1] == path && $0[2] == "cgroup2" } }
        let expected: CgroupMode = isCgroup2("/sys/fs/cgroup") ? .unified
            : isCgroup2("/sys/fs/cgroup/unified") ? .hybrid : .legacy
        XCTAssertEqual(CgroupMode.detect(), expected)
    }

    func testAPlainDirectoryIsNotCgroup2() throws {
        XCTAssertEqual(CgroupMode.detect(root: NSTemporaryDirectory()), .legacy)
    }
}
