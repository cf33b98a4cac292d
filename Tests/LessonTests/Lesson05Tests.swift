import Foundation
import XCTest

/// Lesson05: a container on overlay layers; what it changed; the layers untouched.
final class Lesson05Tests: LessonTestCase {
    var state: String { sandbox.directory.appendingPathComponent("state").path }

    func run(_ flags: [String] = [], _ command: [String]) throws -> CommandResult {
        try inRootfs("Lesson05", ["--state", state] + flags, command)
    }

    func diff(_ result: CommandResult) -> [String] {
        result.stderrLines.filter { $0.hasPrefix("lesson05: diff ") }.map { String($0.dropFirst("lesson05: diff ".count)) }
    }

    func testLayersAreMergedWithWhiteoutsAndOpaqueDirectories() throws {
        let result = try run([], ["sh", "-c", "cat /etc/motd; ls /usr/local/bin; ls /linuxrc; cat /rootfs-marker"])
        XCTAssertEqual(result.status, 0, result.stderr)
        // etc/motd added by layer 1; usr/local/bin opaque: busybox's breakout hidden, hello shown;
        // linuxrc deleted by a whiteout; a busybox file still visible through both layers.
        XCTAssertEqual(result.stdout, "written by layer 1\nhello\n\(sandbox.rootfsMarkerContent)", result.stderr)
        XCTAssertTrue(result.stderr.contains("ls: /linuxrc: No such file or directory"))
    }

    /// The report looks into the lower layers as overlay does, inside each layer: an image's
    /// `evil -> <host dir>` replaced by a directory (opaque in the upper layer) must not have
    /// the host directory's names reported as deleted.
    func testDiffNeverListsHostDirectoriesThroughAnImageSymlink() throws {
        let host = sandbox.directory.appendingPathComponent("host-dir")
        try FileManager.default.createDirectory(at: host, withIntermediateDirectories: true)
        try "secret".write(to: host.appendingPathComponent("host-secret-name"), atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: sandbox.rootfs.appendingPathComponent("evil").path, withDestinationPath: host.path)
        let result = try run([], ["sh", "-c", "rm /evil; mkdir /evil; touch /evil/new"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertFalse(result.stderr.contains("host-secret-name"), result.stderr)
        XCTAssertEqual(diff(result).filter { $0.contains("/evil") }, ["C /evil", "A /evil/new"])
    }

    func testDiffShowsAddedChangedDeleted() throws {
        let result = try run([], ["sh", "-c", "echo changed > /etc/motd; rm /bin/vi; mkdir /data; echo new > /data/file; rm /etc/group"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(diff(result), ["C /bin", "D /bin/vi", "A /data", "A /data/file", "C /etc", "D /etc/group", "C /etc/motd"])
        XCTAssertTrue(result.stderr.contains("lesson05: lower layers unchanged: yes"))
    }

    /// The image layers are byte-for-byte the same after the container wrote over them:
    /// checked here independently of the lesson, with sha256sum over every file.
    func testLowerLayersByteForByteUnchanged() throws {
        func checksums() throws -> String {
            let result = try Command.run("/bin/sh", ["-c", "cd \(state)/layers && find . -type f -exec sha256sum {} + | sort; find . | sort"])
            return result.stdout
        }
        var before = ""
        var after = ""
        let result = try lesson("Lesson05", ["--rootfs", sandbox.rootfs.path, "--state", state, "--keep", "--",
                                             "sh", "-c", "echo overwritten > /bin/busybox.txt; echo x >> /etc/passwd; rm -r /usr"])
        XCTAssertEqual(result.status, 0, result.stderr)
        after = try checksums()
        // Rebuild the same layers without a container run to compare against.
        try FileManager.default.removeItem(atPath: state)
        _ = try lesson("Lesson05", ["--rootfs", sandbox.rootfs.path, "--state", state, "--keep", "--", "true"])
        before = try checksums()
        XCTAssertFalse(before.isEmpty)
        XCTAssertEqual(before, after)
        XCTAssertTrue(after.contains("./0/etc/passwd"))
        try FileManager.default.removeItem(atPath: state)
    }

    func testExportedLayerCarriesOCIWhiteouts() throws {
        let layer = sandbox.directory.appendingPathComponent("changes.tar").path
        let result = try run(["--export-layer", layer], ["sh", "-c", "rm /bin/vi; rm -r /home; mkdir /home; echo x > /home/only"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let listing = try Command.run("/bin/tar", ["-tf", layer]).stdout.split(separator: "\n").map(String.init)
        XCTAssertTrue(listing.contains("bin/.wh.vi"), "\(listing)")
        XCTAssertTrue(listing.contains("home/.wh..wh..opq"), "\(listing)")
        XCTAssertTrue(listing.contains("home/only"), "\(listing)")
        XCTAssertFalse(listing.contains { $0.hasSuffix("bin/vi") && !$0.contains(".wh.") })
    }

    func testMoreThanAHundredLayersMount() throws {
        // 150 layers under a long sandbox path: the full option string is far over a page,
        // so the lesson must take the short-link route.
        let result = try run(["--extra-layers", "150"], ["sh", "-c", "ls /layers | wc -l; cat /layers/151"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout, "150\nlayer 151\n")
    }

    func testStateIsRemovedAndNothingStaysMounted() throws {
        let result = try run([], ["true"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: state))
        // (the sandbox's teardown checks the host's mount table for anything under it)
    }

    func testBadInput() throws {
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        assertOneLineError(try run([], ["true"]), status: 125, containing: "already exists")
        try FileManager.default.removeItem(atPath: state)
        assertOneLineError(try run(["--extra-layers", "900"], ["true"]), status: 125, containing: "--extra-layers")
        assertOneLineError(try inRootfs("Lesson05", ["--state", "relative"], ["true"]), status: 125, containing: "absolute")
        XCTAssertFalse(FileManager.default.fileExists(atPath: state))
    }
}
