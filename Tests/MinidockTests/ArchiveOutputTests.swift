import Foundation
import TestSupport
import XCTest

/// Where archives go and what they cost (issue 7, items 9 and 10): `save`/`export` to another
/// filesystem; `save >`, `load <`, `export >` streamed, not held in memory; `export` of an
/// image with more layers than mount(2)'s options can name by full path.
final class ArchiveOutputTests: StoreTestCase {
    /// `-o` onto a tmpfs while the store is elsewhere: the archive is built beside the target
    /// and renamed there (a rename from the store's tmp/ would fail with EXDEV).
    func testSaveAndExportOntoAnotherFilesystem() throws {
        _ = try importBusybox()
        let elsewhere = work.appendingPathComponent("tmpfs")
        try FileManager.default.createDirectory(at: elsewhere, withIntermediateDirectories: true)
        XCTAssertEqual(try run("/bin/mount", ["-t", "tmpfs", "-o", "size=64m", "tmpfs", elsewhere.path]).status, 0)
        defer { _ = try? run("/bin/umount", [elsewhere.path]) }

        let saved = elsewhere.appendingPathComponent("bb.tar").path
        let save = try minidock(["save", "-o", saved, "busybox"])
        XCTAssertEqual(save.status, 0, save.stderr)
        XCTAssertEqual(try run("/usr/bin/skopeo", ["inspect", "docker-archive:\(saved)"]).status, 0)
        let flat = elsewhere.appendingPathComponent("flat.tar").path
        let export = try minidock(["export", "-o", flat, "busybox"])
        XCTAssertEqual(export.status, 0, export.stderr)
        XCTAssertTrue(try run("/bin/tar", ["-tf", flat]).stdout.contains("bin/busybox"))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: elsewhere.path).sorted(), ["bb.tar", "flat.tar"],
                       "no temporary left beside the targets")

        // A failure leaves neither a target nor a temporary.
        let failed = try minidock(["save", "-o", elsewhere.appendingPathComponent("bad.tar").path, "busybox", "nothere"])
        XCTAssertEqual(failed.status, 1)
        let unwritable = try minidock(["save", "-o", elsewhere.appendingPathComponent("missing/bb.tar").path, "busybox"])
        XCTAssertEqual(unwritable.status, 1)
        XCTAssertEqual(unwritable.stderr, "minidock: invalid output path: directory \"\(elsewhere.path)/missing\" does not exist\n")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: elsewhere.path).sorted(), ["bb.tar", "flat.tar"])
    }

    /// A 64 MB layer of random data goes through `save >`, `load <` and `export >` with a peak
    /// resident size under 50 MB (minidock alone is about 30 MB; the whole archive in memory
    /// would be 64 MB more).
    func testStreamsDoNotHoldTheArchiveInMemory() throws {
        let big = work.appendingPathComponent("big")
        try FileManager.default.createDirectory(at: big, withIntermediateDirectories: true)
        XCTAssertEqual(try run("/bin/sh", ["-c", "head -c 64000000 /dev/urandom > '\(big.path)/random'"]).status, 0)
        let imported = try minidock(["import", big.path, "big"])
        XCTAssertEqual(imported.status, 0, imported.stderr)
        try FileManager.default.removeItem(at: big)

        let archive = work.appendingPathComponent("big.tar").path
        let flat = work.appendingPathComponent("flat.tar").path
        for (command, redirect) in [("save big", "> '\(archive)'"), ("export big", "> '\(flat)'"), ("load", "< '\(archive)'")] {
            let peak = work.appendingPathComponent("peak").path
            let result = try shell("/usr/bin/time -f %M -o '\(peak)' '\(MinidockCLITests.binary)' \(command) \(redirect)")
            XCTAssertEqual(result.status, 0, "\(command): \(result.stderr)")
            let kilobytes = Int(try String(contentsOfFile: peak, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)) ?? .max
            XCTAssertLessThan(kilobytes, 50_000, "\(command): peak RSS \(kilobytes) KiB for a 64 MB image")
        }
        XCTAssertGreaterThan(try FileManager.default.attributesOfItem(atPath: flat)[.size] as? Int ?? 0, 64_000_000)
    }

    /// An image of 60 layers: their full paths (about 115 bytes each here) do not fit in the
    /// page of mount options, so export mounts through short links, as run does.
    func testExportOfAnImageWithManyLayers() throws {
        let build = work.appendingPathComponent("layers")
        try FileManager.default.createDirectory(at: build, withIntermediateDirectories: true)
        // One shell for all 60 layers, each a tar of one file; then their sha256s, in order.
        let script = """
        cd '\(build.path)' && mkdir files && for i in $(seq 1 60); do
          echo $i > files/file-$i && tar -cf l$i.tar -C files file-$i || exit 1
        done && for i in $(seq 1 60); do echo l$i.tar; done | xargs sha256sum | sed 's/^/sha256:/; s/ .*//' > ids
        """
        XCTAssertEqual(try shell(script).status, 0)
        let ids = try String(contentsOf: build.appendingPathComponent("ids"), encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(ids.count, 60)
        let config = #"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[\#(ids.map { "\"\($0)\"" }.joined(separator: ","))]}}"#
        try config.write(to: build.appendingPathComponent("config.json"), atomically: true, encoding: .utf8)
        let layers = (1...60).map { "\"l\($0).tar\"" }.joined(separator: ",")
        try #"[{"Config":"config.json","RepoTags":["many:60"],"Layers":[\#(layers)]}]"#
            .write(to: build.appendingPathComponent("manifest.json"), atomically: true, encoding: .utf8)
        let archive = work.appendingPathComponent("many.tar").path
        XCTAssertEqual(try run("/bin/tar", ["-cf", archive, "-C", build.path, "--exclude", "files", "."]).status, 0)
        let load = try minidock(["load", "-i", archive])
        XCTAssertEqual(load.status, 0, load.stderr)

        let flat = work.appendingPathComponent("flat.tar").path
        let export = try minidock(["export", "-o", flat, "many:60"])
        XCTAssertEqual(export.status, 0, export.stderr)
        let names = Set(try run("/bin/tar", ["-tf", flat]).stdout.split(separator: "\n").map(String.init))
        XCTAssertTrue((1...60).allSatisfy { names.contains("file-\($0)") || names.contains("./file-\($0)") }, "\(names.count) names")
    }

    func shell(_ script: String) throws -> ProcessResult {
        try ProcessRunner.run("/bin/sh", ["-c", script], environment: ProcessInfo.processInfo.environment.merging([
            "MINIDOCK_ROOT": root.appendingPathComponent("store").path,
        ]) { $1 })
    }
}
