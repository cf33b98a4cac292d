import Foundation
@testable import Runtime
import SystemPackage
import XCTest

/// Paths resolved inside a root, for real on a temporary tree: every hostile shape an image
/// can give a path — absolute and relative symlinks out, `..` past the root, symlink loops,
/// a symlink as the last name — through openat2 and through the component walk alike.
final class RootDirectoryTests: XCTestCase {
    var directory: URL!
    var root: FilePath { FilePath(directory.appendingPathComponent("root").path) }
    var outside: String { directory.appendingPathComponent("outside").path }

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("rooted-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: root.appending("etc").string, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        let links = ["abs": outside, "rel": "../../../../../../../../" + outside.dropFirst(), "dotdot": "..",
                     "inside": "/etc", "loop": "loop", "etc/back": "../etc"]
        for (name, target) in links {
            try FileManager.default.createSymbolicLink(atPath: root.appending(name).string, withDestinationPath: target)
        }
    }

    override func tearDown() {
        RootDirectory.openat2Available = true
        try? FileManager.default.removeItem(at: directory)
    }

    func eachResolver(_ body: (String) throws -> Void) rethrows {
        for resolver in ["openat2", "walk"] {
            RootDirectory.openat2Available = resolver == "openat2"
            try body(resolver)
        }
    }

    func testSymlinksOutResolveInsideTheRoot() throws {
        try eachResolver { resolver in
            let rootfs = try RootDirectory(root)
            // `abs` and `rel` both mean <root>/<outside path>: made there, inside, never outside.
            for name in ["abs/x", "rel/y", "dotdot/dotdot/abs/z"] {
                close(try rootfs.makeDirectories(name + "/dir"))
                try rootfs.writeFile(name + "/file", Array("contained".utf8))
                try rootfs.makeNode(name + "/node", mode: S_IFIFO | 0o600, device: 0, spelledMode: "S_IFIFO|0600", spelledDevice: "0")
            }
            XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: outside), [], resolver)
            let inside = root.string + outside
            XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: inside).sorted(), ["x", "y", "z"], resolver)
            try FileManager.default.removeItem(atPath: root.string + "/" + String(outside.split(separator: "/").first!))
            // `..` stops at the root; a symlink inside the root is followed inside it.
            try rootfs.writeFile("dotdot/../inside/hosts", Array("127.0.0.1 localhost\n".utf8))
            XCTAssertEqual(try String(contentsOfFile: root.appending("etc/hosts").string, encoding: .utf8), "127.0.0.1 localhost\n")
            close(try rootfs.makeDirectories("etc/back/back/made"))
            XCTAssertTrue(FileManager.default.fileExists(atPath: root.appending("etc/made").string), resolver)
            try FileManager.default.removeItem(atPath: root.appending("etc/hosts").string)
            try FileManager.default.removeItem(atPath: root.appending("etc/made").string)
        }
    }

    func testRefusingLayersFailOnAnySymlink() throws {
        try eachResolver { resolver in
            let layer = try RootDirectory(root, symlinks: .refuse)
            for name in ["inside/x", "abs/x", "etc/back/x"] {
                XCTAssertThrowsError(try layer.makeDirectories(name), "\(resolver) \(name)") {
                    XCTAssertTrue("\($0)".contains("crosses a symlink"), "\(resolver): \($0)")
                }
            }
            XCTAssertNil(layer.status("abs/x"))
            XCTAssertNotNil(layer.status("abs"), "the link itself is there")
        }
    }

    func testLoopsAndLastNameSymlinks() throws {
        try eachResolver { resolver in
            let rootfs = try RootDirectory(root)
            XCTAssertThrowsError(try rootfs.openDirectory("loop/x"), resolver) { XCTAssertEqual(($0 as? RuntimeError)?.errno, .tooManySymbolicLinkLevels) }
            // Writing a file never goes through a symlink that is its last name.
            XCTAssertThrowsError(try rootfs.writeFile("abs", Array("x".utf8)), resolver)
            XCTAssertThrowsError(try rootfs.setAttribute("abs", name: "user.x", value: "y"), resolver)
            try rootfs.removeFile("abs")
            XCTAssertTrue(FileManager.default.fileExists(atPath: outside), "the link went, not its target")
            try FileManager.default.createSymbolicLink(atPath: root.appending("abs").string, withDestinationPath: outside)
        }
    }

    func testEmptyAndDotDotNamesNameNothingInside() throws {
        let rootfs = try RootDirectory(root)
        XCTAssertThrowsError(try rootfs.makeNode("", mode: S_IFCHR, device: 0, spelledMode: "", spelledDevice: ""))
        XCTAssertThrowsError(try rootfs.makeSymlink("etc/..", to: "x"))
        XCTAssertThrowsError(try rootfs.removeFile(".."))
    }

    /// `rm -rf` stops at a mount point and never follows a symlink — with openat2 and without
    /// (a bind mount of the same filesystem has the same st_dev: only the mount table tells).
    func testRemoveNeverCrossesAMountOrALink() throws {
        try eachResolver { _ in try removeStopsAtMounts() }
    }

    func removeStopsAtMounts() throws {
        let tree = FilePath(directory.appendingPathComponent("tree").path)
        try FileManager.default.createDirectory(atPath: tree.appending("mnt").string, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: tree.appending("link").string, withDestinationPath: outside)
        try "keep".write(toFile: outside + "/keep", atomically: true, encoding: .utf8)
        try Mount.mount(source: outside, target: tree.appending("mnt"), type: nil, flags: .bind)
        defer { umount2(tree.appending("mnt").string, Int32(MNT_DETACH)) }
        XCTAssertThrowsError(try TreeWalk.remove(tree)) { XCTAssertTrue("\($0)".contains("mount point"), "\($0)") }
        XCTAssertTrue(FileManager.default.fileExists(atPath: outside + "/keep"))
        umount2(tree.appending("mnt").string, Int32(MNT_DETACH))
        try TreeWalk.remove(tree)
        XCTAssertFalse(FileManager.default.fileExists(atPath: tree.string))
        XCTAssertTrue(FileManager.default.fileExists(atPath: outside + "/keep"))
    }
}
