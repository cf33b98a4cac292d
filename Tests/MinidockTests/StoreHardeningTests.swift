import Foundation
import TestSupport
import XCTest

/// The image store attacked and unlucky (issue 7, items 1, 2, 4, 5, 6, 13, 14): hostile layers,
/// other users, decompression bombs, `rmi` racing `load`, leftovers of killed commands.
final class StoreHardeningTests: StoreTestCase {
    var store: URL { root.appendingPathComponent("store") }
    var images: URL { store.appendingPathComponent("images") }

    func entries(_ name: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: images.appendingPathComponent(name).path)) ?? []).sorted()
    }

    /// A docker-archive built by Python: `layers` are (name → tar members) lists, each member
    /// `(name, kind, data-or-link)`; `order` lists the layer names as the manifest does.
    /// `gzipZeros` makes a gzip layer of that many MiB of zeros instead.
    func archive(_ name: String, layers: [String: String], order: [String], tag: String = "crafted:1") throws -> String {
        let path = work.appendingPathComponent(name).path
        let layerCode = layers.map { "    \"\($0.key)\": [\($0.value)]," }.joined(separator: "\n")
        let script = """
        import hashlib, io, json, tarfile, gzip
        def member(t, name, kind="file", data=b"x"):
            info = tarfile.TarInfo(name)
            if kind == "file": info.size = len(data); t.addfile(info, io.BytesIO(data)); return
            if kind == "dir": info.type = tarfile.DIRTYPE
            if kind == "symlink": info.type = tarfile.SYMTYPE; info.linkname = data
            if kind == "zeros":
                info.size = data * 1024 * 1024
                class Zeros(io.RawIOBase):
                    def readable(self): return True
                    def readinto(self, b): b[:] = bytes(len(b)); return len(b)
                t.addfile(info, io.BufferedReader(Zeros())); return
            t.addfile(info)
        layers = {
        \(layerCode)
        }
        blobs, diff_ids = {}, {}
        for lname, members in layers.items():
            raw = io.BytesIO()
            with tarfile.open(fileobj=raw, mode="w") as t:
                for m in members: member(t, *m)
            data = raw.getvalue()
            diff_ids[lname] = "sha256:" + hashlib.sha256(data).hexdigest()
            blobs[lname] = gzip.compress(data, 6) if lname.startswith("gz") else data
        config = json.dumps({"architecture": "amd64", "os": "linux", "config": {},
                             "rootfs": {"type": "layers", "diff_ids": [diff_ids[n] for n in \(order)]}}).encode()
        with tarfile.open(\(quoted(path)), "w") as out:
            def add(n, d):
                i = tarfile.TarInfo(n); i.size = len(d); out.addfile(i, io.BytesIO(d))
            add("config.json", config)
            for lname, data in blobs.items(): add(lname + ".tar", data)
            add("manifest.json", json.dumps([{"Config": "config.json", "RepoTags": [\(quoted(tag))],
                                              "Layers": [n + ".tar" for n in \(order)]}]).encode())
        """
        let result = try run("/usr/bin/env", ["python3", "-c", script])
        XCTAssertEqual(result.status, 0, result.stderr)
        return path
    }

    func quoted(_ text: String) -> String { "\"" + text + "\"" }

    /// `load -i path` started in the background, allowed past the bomb limit (its layers are zeros).
    func startLargeLoad(_ path: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: MinidockCLITests.binary)
        process.arguments = ["load", "-i", path]
        process.environment = ProcessInfo.processInfo.environment.merging(["MINIDOCK_ROOT": store.path,
                                                                           "MINIDOCK_MAX_LAYER_SIZE": "1g"]) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    // MARK: item 1 — whiteouts behind symlinks, through load and import

    func testWhiteoutBehindASymlinkIsRefusedAndTouchesNothing() throws {
        let host = work.appendingPathComponent("host-dir").path
        try FileManager.default.createDirectory(atPath: host, withIntermediateDirectories: true)
        for entry in ["evil/.wh.x", "evil/new/.wh..wh..opq", "evil/deep/er/.wh.y"] {
            let path = try archive("evil-archive.tar", layers: ["evil": "(\"evil\", \"symlink\", \(quoted(host))), (\(quoted(entry)), \"file\", b\"\")"],
                                   order: ["evil"])
            let load = try minidock(["load", "-i", path])
            XCTAssertEqual(load.status, 1, load.stderr)
            XCTAssertTrue(load.stderr.contains("crosses a symlink"), load.stderr)
            XCTAssertEqual(load.stderr.split(separator: "\n").count, 1, load.stderr)
            // The same layer as a root filesystem tarball for `import`.
            XCTAssertEqual(try run("/bin/tar", ["-xf", path, "-C", work.path, "evil.tar"]).status, 0)
            let layerOnly = work.appendingPathComponent("evil.tar").path
            let importing = try minidock(["import", layerOnly, "evil"])
            XCTAssertNotEqual(importing.status, 0)
            XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: host), [], entry)
            XCTAssertEqual(blobs, [], "nothing stored for \(entry)")
            XCTAssertEqual(entries("tmp"), [], "no temporary left for \(entry)")
        }
    }

    // MARK: item 2 — the store is root's alone

    func testTheStoreIsUnreachableToOtherUsers() throws {
        let rootfs = work.appendingPathComponent("suid-rootfs")
        try FileManager.default.createDirectory(at: rootfs.appendingPathComponent("bin"), withIntermediateDirectories: true)
        let id = rootfs.appendingPathComponent("bin/id").path
        try FileManager.default.copyItem(atPath: "/usr/bin/id", toPath: id)
        chmod(id, 0o4755)
        XCTAssertEqual(try minidock(["import", rootfs.path, "suid"]).status, 0)

        var info = stat()
        XCTAssertEqual(stat(images.path, &info), 0)
        XCTAssertEqual(info.st_mode & 0o777, 0o700, "images/ is root's alone")
        XCTAssertEqual(stat(store.path, &info), 0)
        XCTAssertEqual(info.st_mode & 0o077, 0, "a new root is made private")
        // nobody cannot reach the setuid copy (it would run with euid 0).
        let layer = entries("layers").first ?? ""
        let asNobody = try run("/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "--",
                                                     images.appendingPathComponent("layers/\(layer)/bin/id").path, "-u"])
        XCTAssertNotEqual(asNobody.status, 0)
        XCTAssertNotEqual(asNobody.stdout, "0\n")

        // An older, looser store is tightened by the next command.
        chmod(images.path, 0o755)
        XCTAssertEqual(try minidock(["images"]).status, 0)
        XCTAssertEqual(stat(images.path, &info), 0)
        XCTAssertEqual(info.st_mode & 0o777, 0o700)

        // Not root: one line, no EACCES.
        let binary = MinidockCLITests.binary
        let notRoot = try run("/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "--",
                                                    binary, "images", "--root", store.path])
        XCTAssertEqual(notRoot.status, 1, notRoot.stderr)
        XCTAssertEqual(notRoot.stderr, "minidock: must be run as root: the image store keeps files with their owners and device nodes, and is root's alone (try sudo)\n")
    }

    // MARK: item 13 — an empty root is not the working directory

    func testEmptyRootIsRefused() throws {
        let result = try run(MinidockCLITests.binary, ["images", "--root", ""])
        XCTAssertEqual(result.status, 125, result.stderr)
        XCTAssertEqual(result.stderr.split(separator: "\n").count, 1, result.stderr)
        XCTAssertTrue(result.stderr.contains("--root: empty path"), result.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: FileManager.default.currentDirectoryPath + "/images"))
    }

    // MARK: item 4 — decompression bombs

    func testGzipBombIsRefusedAndStoresNothing() throws {
        // 100 MiB of zeros: about 100 kB of gzip, over 200 times its size and the 64 MiB floor.
        let path = try archive("bomb.tar", layers: ["gzbomb": "(\"zeros\", \"zeros\", 100)"], order: ["gzbomb"])
        let load = try minidock(["load", "-i", path])
        XCTAssertEqual(load.status, 1, load.stderr)
        XCTAssertTrue(load.stderr.contains("refused as a decompression bomb"), load.stderr)
        XCTAssertEqual(blobs, [])
        XCTAssertEqual(entries("tmp"), [])

        // As a root filesystem tarball for `import`, the same.
        XCTAssertEqual(try run("/bin/tar", ["-xf", path, "-C", work.path, "gzbomb.tar"]).status, 0)
        let importing = try minidock(["import", work.appendingPathComponent("gzbomb.tar").path, "bomb"])
        XCTAssertEqual(importing.status, 1, importing.stderr)
        XCTAssertTrue(importing.stderr.contains("refused as a decompression bomb"), importing.stderr)
        XCTAssertEqual(blobs, [])

        // A host that wants a lower limit sets one; a bad value is one clear line.
        let small = try archive("small.tar", layers: ["gzsmall": "(\"zeros\", \"zeros\", 2)"], order: ["gzsmall"])
        let limited = try minidock(["load", "-i", small], environment: ["MINIDOCK_MAX_LAYER_SIZE": "1m"])
        XCTAssertEqual(limited.status, 1, limited.stderr)
        XCTAssertTrue(limited.stderr.contains("over MINIDOCK_MAX_LAYER_SIZE"), limited.stderr)
        let bad = try minidock(["load", "-i", small], environment: ["MINIDOCK_MAX_LAYER_SIZE": "-5"])
        XCTAssertEqual(bad.status, 1)
        XCTAssertTrue(bad.stderr.contains("not a size"), bad.stderr)
        XCTAssertEqual(try minidock(["load", "-i", small]).status, 0, "2 MiB of zeros is under the floor")
    }

    /// A sparse member (a 300 MiB hole in a 10 kB archive) counts for what it will be read
    /// back as: refused as a bomb, nothing stored, no gigabytes written.
    func testASparseMemberIsNoWayAroundTheBombLimit() throws {
        let directory = work.appendingPathComponent("sparse")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try #"[{"Config":"config.json","RepoTags":["sparse:1"],"Layers":["layer.tar"]}]"#.write(
            to: directory.appendingPathComponent("manifest.json"), atomically: true, encoding: .utf8)
        try #"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["sha256:0000000000000000000000000000000000000000000000000000000000000000"]}}"#.write(
            to: directory.appendingPathComponent("config.json"), atomically: true, encoding: .utf8)
        XCTAssertEqual(try run("/usr/bin/truncate", ["-s", "300M", directory.appendingPathComponent("layer.tar").path]).status, 0)
        let archive = work.appendingPathComponent("sparse.tar").path
        XCTAssertEqual(try run("/bin/tar", ["-S", "-cf", archive, "-C", directory.path, "manifest.json", "config.json", "layer.tar"]).status, 0)
        let load = try minidock(["load", "-i", archive])
        XCTAssertEqual(load.status, 1, load.stderr)
        XCTAssertTrue(load.stderr.contains("refused as a decompression bomb"), load.stderr)
        XCTAssertEqual(blobs, [])
        XCTAssertEqual(entries("tmp"), [])
    }

    /// A layer whose size gzip records cannot fit on the disk is refused before it is written
    /// (here the store is on a 32 MiB tmpfs the test mounts; the layer says 60 MiB).
    func testALayerTooBigForTheDiskIsRefusedBeforeWriting() throws {
        let path = try archive("big-for-disk.tar", layers: ["gzbig": "(\"big\", \"zeros\", 60)"], order: ["gzbig"])
        try FileManager.default.createDirectory(at: store, withIntermediateDirectories: true)
        XCTAssertEqual(mount("tmpfs", store.path, "tmpfs", 0, "size=32m"), 0)
        defer { umount2(store.path, Int32(MNT_DETACH)) }
        let load = try minidock(["load", "-i", path], environment: ["MINIDOCK_MAX_LAYER_SIZE": "1g"])
        XCTAssertEqual(load.status, 1, load.stderr)
        XCTAssertTrue(load.stderr.contains("needs 61 MiB but only"), load.stderr)
        XCTAssertEqual(blobs, [])
        XCTAssertEqual(entries("tmp"), [])
    }

    /// `save IMAGE | head -c 100`: the reader goes away; minidock ends in order (EPIPE, not a
    /// SIGPIPE that kills it mid-write) and leaves no temporary.
    func testSaveIntoAClosedPipeLeavesNothing() throws {
        _ = try importBusybox()
        let result = try run("/bin/sh", ["-c", "MINIDOCK_ROOT=\(store.path) \(MinidockCLITests.binary) save busybox | head -c 100 > /dev/null"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(entries("tmp"), [])
    }

    // MARK: item 5 — rmi's collection beside load

    /// `load` stores its first layer, then spends a while on the second; an `rmi` of another
    /// image collects garbage meanwhile. The first layer is pinned by the live `load`, so the
    /// loaded image is whole afterwards and `images` lists it.
    func testCollectionSparesWhatALiveLoadStored() throws {
        XCTAssertEqual(try minidock(["import", Self.fixture.path, "victim"]).status, 0)
        // 300 MiB of zeros take the load a second or two to decompress and hash (allowed past
        // the bomb limit for this test).
        let path = try archive("slow.tar", layers: ["first": "(\"first\", \"file\", b\"1\")",
                                                    "gzslow": "(\"big\", \"zeros\", 300)"], order: ["first", "gzslow"])
        let blobsBefore = Set(blobs)
        let process = try startLargeLoad(path)
        // Wait for the first layer's blob, then collect.
        let deadline = Date().addingTimeInterval(20)
        while Set(blobs).subtracting(blobsBefore).isEmpty && process.isRunning && Date() < deadline { usleep(2_000) }
        XCTAssertTrue(process.isRunning, "the load should still be busy with its second layer")
        XCTAssertEqual(try minidock(["rmi", "victim"]).status, 0)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        let listing = try minidock(["images"])
        XCTAssertEqual(listing.status, 0, listing.stderr)
        XCTAssertTrue(listing.stdout.contains("crafted"), listing.stdout)
        XCTAssertEqual(try minidock(["history", "crafted:1"]).status, 0)
    }

    /// One damaged image (a blob deleted by hand) is reported; the others are still listed.
    func testImagesListsTheRestWhenOneIsBroken() throws {
        XCTAssertEqual(try minidock(["import", Self.fixture.path, "good"]).status, 0)
        let path = try archive("other.tar", layers: ["only": "(\"f\", \"file\", b\"2\")"], order: ["only"], tag: "broken:1")
        XCTAssertEqual(try minidock(["load", "-i", path]).status, 0)
        let inspect = try minidock(["images", "--no-trunc", "-q", "broken:1"])
        let id = inspect.stdout.trimmingCharacters(in: .whitespacesAndNewlines).dropFirst("sha256:".count)
        try FileManager.default.removeItem(atPath: images.appendingPathComponent("blobs/sha256/\(id)").path)
        let listing = try minidock(["images"])
        XCTAssertEqual(listing.status, 0, listing.stderr)
        XCTAssertTrue(listing.stdout.contains("good"), listing.stdout)
        XCTAssertTrue(listing.stderr.contains("not in the store"), listing.stderr)
    }

    // MARK: item 6 — leftovers of dead commands are swept

    func testLeftoversOfDeadProcessesAreSweptAndLiveOnesKept() throws {
        XCTAssertEqual(try minidock(["images"]).status, 0)
        // A live owner: a process of ours, named by PID and start time.
        let sleeper = Process()
        sleeper.executableURL = URL(fileURLWithPath: "/bin/sleep")
        sleeper.arguments = ["30"]
        try sleeper.run()
        defer { sleeper.terminate(); sleeper.waitUntilExit() }
        let stat = try String(contentsOfFile: "/proc/\(sleeper.processIdentifier)/stat", encoding: .utf8)
        let start = stat[stat.range(of: ")", options: .backwards)!.upperBound...].split(separator: " ")[19]
        let live = "blob-\(sleeper.processIdentifier)-\(start)-7"
        // A dead owner: the same PID with another start time, and a PID that is not running.
        let reused = "layer-\(sleeper.processIdentifier)-1-8"
        let gone = "load-999999999-5-9"
        for name in [live, reused, gone] {
            try FileManager.default.createDirectory(at: images.appendingPathComponent("tmp/\(name)/sub"), withIntermediateDirectories: true)
        }
        try "x".write(to: images.appendingPathComponent("pins/999999999-5"), atomically: true, encoding: .utf8)
        XCTAssertEqual(try minidock(["images"]).status, 0)
        XCTAssertEqual(entries("tmp"), [live])
        XCTAssertEqual(entries("pins"), [])
    }

    /// `load` killed with SIGKILL while it unpacks its archive leaves a temporary; the next
    /// command removes it.
    func testKilledLoadLeavesNothingBehindTheNextCommand() throws {
        let path = try archive("big.tar", layers: ["gzbig": "(\"big\", \"zeros\", 150)"], order: ["gzbig"])
        let process = try startLargeLoad(path)
        let deadline = Date().addingTimeInterval(20)
        while entries("tmp").isEmpty && process.isRunning && Date() < deadline { usleep(2_000) }
        XCTAssertFalse(entries("tmp").isEmpty, "the load is staging its archive")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        XCTAssertEqual(try minidock(["images"]).status, 0)
        XCTAssertEqual(entries("tmp"), [])
    }

    // MARK: item 14 — a layer listed twice

    func testAnImageListingALayerTwiceExports() throws {
        let path = try archive("twice.tar", layers: ["base": "(\"etc\", \"dir\"), (\"etc/a\", \"file\", b\"base\")",
                                                     "mid": "(\"etc\", \"dir\"), (\"etc/.wh.a\", \"file\", b\"\"), (\"etc/b\", \"file\", b\"mid\")"],
                               order: ["base", "mid", "base"], tag: "twice:1")
        let load = try minidock(["load", "-i", path])
        XCTAssertEqual(load.status, 0, load.stderr)
        let flat = work.appendingPathComponent("flat.tar").path
        let export = try minidock(["export", "-o", flat, "twice:1"])
        XCTAssertEqual(export.status, 0, export.stderr)
        let names = Set(try run("/bin/tar", ["-tf", flat]).stdout.split(separator: "\n").map(String.init))
        XCTAssertTrue(names.contains("etc/a"), "re-added by the top copy of base: \(names)")
        XCTAssertTrue(names.contains("etc/b"), "\(names)")
    }
}
