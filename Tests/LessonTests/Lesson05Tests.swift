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

    /// The state directory holds the image's layers, setuid files included: root's alone.
    func testTheStateDirectoryIsRootsAlone() throws {
        let result = try run(["--keep"], ["true"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let kept = try FileManager.default.attributesOfItem(atPath: state)
        XCTAssertEqual((kept[.posixPermissions] as? Int).map { $0 & 0o777 }, 0o700)
        try FileManager.default.removeItem(atPath: state)
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

/// Hardening: whatever way the lesson ends, its state directory goes (issue 7).
extension Lesson05Tests {
    /// The default state directory of a lesson `pid`: `/tmp/lesson05-PID-STARTTIME`.
    func defaultStateDirectories(of pid: Int32) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/tmp")) ?? [])
            .filter { $0.hasPrefix("lesson05-\(pid)-") }.map { "/tmp/" + $0 }
    }

    func testAClosedPipeStillRemovesTheState() throws {
        let result = try lesson("Lesson05", ["--rootfs", sandbox.rootfs.path, "--state", state, "--",
                                             "sh", "-c", "yes | head -1"], quiet: false, closedPipe: true)
        XCTAssertEqual(result.status, 128 + 13)
        XCTAssertFalse(FileManager.default.fileExists(atPath: state), "state left behind")
    }

    /// Ctrl-C: forwarded to the container, whose trap ends it; the lesson then cleans up.
    func testCtrlCStillRemovesTheState() throws {
        let marker = sandbox.directory.path
        let result = try lesson("Lesson05", ["--rootfs", sandbox.rootfs.path, "--state", state, "--",
                                             "sh", "-c", "trap 'exit 130' INT; while :; do sleep 0.1; done # \(marker)"]) { lesson in
            let container = try self.waitForContainer(of: lesson.processIdentifier, marker: marker)
            try self.waitUntil(container, handles: SIGINT)
            kill(lesson.processIdentifier, SIGINT)
        }
        XCTAssertEqual(result.status, 130, result.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: state), "state left behind")
    }

    /// kill -9 leaves the lesson no chance: its default state directory, named with its PID and
    /// start time, stays — until the next lesson, any lesson, finds its owner gone and removes it.
    func testTheNextLessonRemovesTheStateOfAKilledOne() throws {
        let marker = sandbox.directory.path
        var killedPID: Int32 = 0
        var left: [String] = []
        defer { for directory in left { try? FileManager.default.removeItem(atPath: directory) } }
        let killed = try lesson("Lesson05", ["--rootfs", sandbox.rootfs.path, "--", "sh", "-c", "sleep 30; : \(marker)"]) { lesson in
            killedPID = lesson.processIdentifier
            let container = try self.waitForContainer(of: killedPID, marker: marker)
            left = self.defaultStateDirectories(of: killedPID)
            kill(killedPID, SIGKILL)
            try Command.waitFor("the container to die with the lesson") { kill(container, 0) != 0 }
        }
        XCTAssertEqual(killed.status, 137)
        XCTAssertEqual(left.count, 1, "one default state directory: \(left)")
        XCTAssertTrue(left.allSatisfy { FileManager.default.fileExists(atPath: $0) }, "left behind by kill -9")

        let next = try lesson("Lesson01", ["--", "true"], quiet: false)
        XCTAssertEqual(next.status, 0, next.stderr)
        for directory in left {
            // (Any lesson sweeps, so another one running on this machine may have been first:
            // what counts is that the directory is gone.)
            XCTAssertFalse(FileManager.default.fileExists(atPath: directory), "not swept: \(directory)")
        }
    }

    /// A state directory that cannot be removed (here: an immutable file in it) is said in one
    /// line, and a command that succeeded makes the lesson exit 125: something was left.
    func testAStateThatCannotBeRemovedIsReported() throws {
        let marker = sandbox.directory.path
        let pinned = state + "/tarballs/0-busybox.tar"
        let probe = sandbox.directory.appendingPathComponent("chattr-probe").path
        FileManager.default.createFile(atPath: probe, contents: Data())
        try XCTSkipUnless(try Command.run("/usr/bin/chattr", ["+i", probe]).status == 0, "no immutable files on this filesystem")
        _ = try Command.run("/usr/bin/chattr", ["-i", probe])
        defer { _ = try? Command.run("/usr/bin/chattr", ["-i", pinned]) }
        let result = try lesson("Lesson05", ["--rootfs", sandbox.rootfs.path, "--state", state, "--",
                                             "sh", "-c", "trap 'exit 0' TERM; while :; do sleep 0.1; done # \(marker)"]) { lesson in
            let container = try self.waitForContainer(of: lesson.processIdentifier, marker: marker)
            try self.waitUntil(container, handles: SIGTERM)
            let chattr = try Command.run("/usr/bin/chattr", ["+i", pinned])
            XCTAssertEqual(chattr.status, 0, chattr.stderr)
            kill(lesson.processIdentifier, SIGTERM)
        }
        XCTAssertEqual(result.status, 125, result.stderr)
        let lines = result.stderrLines.filter { $0.contains("could not remove") }
        XCTAssertEqual(lines.count, 1, result.stderr)
        XCTAssertTrue(lines.allSatisfy { $0.hasPrefix("lesson05: could not remove the state directory \(state): ") &&
                                         $0.contains(pinned) && $0.hasSuffix(": EPERM") }, result.stderr)
        _ = try Command.run("/usr/bin/chattr", ["-i", pinned])
        try FileManager.default.removeItem(atPath: state)
    }

    func testAnEmptyStateIsRefused() throws {
        assertOneLineError(try inRootfs("Lesson05", ["--state", ""], ["true"]), status: 125, containing: "--state \"\": an empty path")
    }

    /// A default state directory whose PID is alive but whose start time is not that process's
    /// was left by a lesson long gone: swept. One kept on purpose (`-kept`) is not, nor one that
    /// belongs to another user.
    func testStateOfARecycledPIDIsSweptAndKeptStateIsNot() throws {
        let stale = "/tmp/lesson05-\(getpid())-1"
        let kept = "/tmp/lesson05-\(getpid())-1-kept"
        let someoneElses = "/tmp/lesson05-\(getpid())-2"
        for directory in [stale, kept, someoneElses] {
            try FileManager.default.createDirectory(atPath: directory + "/layers", withIntermediateDirectories: true)
        }
        defer { for directory in [stale, kept, someoneElses] { try? FileManager.default.removeItem(atPath: directory) } }
        XCTAssertEqual(chown(someoneElses, 65534, 65534), 0, "a name anyone could make in /tmp")
        let result = try lesson("Lesson01", ["--", "true"], quiet: false)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: stale), "not swept")
        XCTAssertTrue(FileManager.default.fileExists(atPath: kept), "a kept state is the user's")
        XCTAssertTrue(FileManager.default.fileExists(atPath: someoneElses + "/layers"), "not the lesson's own: left alone")
    }
}
