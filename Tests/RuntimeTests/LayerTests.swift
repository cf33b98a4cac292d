import Foundation
@testable import Runtime
import SystemPackage
import CShim
import XCTest

/// Layer tarballs and overlay whiteouts, on real files in a temporary directory.
final class LayerTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("layers-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(at: directory)
    }

    func path(_ name: String) -> FilePath { FilePath(directory.appendingPathComponent(name).path) }

    func tar(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/tar")
        process.arguments = arguments
        try process.run()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, "tar \(arguments)")
    }

    /// A layer made by GNU tar with OCI whiteouts unpacks into overlay whiteouts, and packing
    /// that directory gives back the same OCI entries.
    func testWhiteoutsRoundTrip() throws {
        let source = directory.appendingPathComponent("source")
        try FileManager.default.createDirectory(at: source.appendingPathComponent("etc"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: source.appendingPathComponent("opaque"), withIntermediateDirectories: true)
        try "kept".write(to: source.appendingPathComponent("etc/kept"), atomically: true, encoding: .utf8)
        try "".write(to: source.appendingPathComponent("etc/.wh.gone"), atomically: true, encoding: .utf8)
        try "".write(to: source.appendingPathComponent("opaque/.wh..wh..opq"), atomically: true, encoding: .utf8)
        try "new".write(to: source.appendingPathComponent("opaque/new"), atomically: true, encoding: .utf8)
        try tar(["-cf", path("in.tar").string, "-C", source.path, "."])

        let summary = try LayerUnpacker.unpack(path("in.tar"), into: path("layer"))
        XCTAssertEqual(summary.whiteouts, 1)
        XCTAssertEqual(summary.opaqueDirectories, 1)
        XCTAssertTrue(Whiteout.isWhiteout(path("layer/etc/gone")), "a 0/0 character device")
        XCTAssertTrue(Whiteout.isOpaque(path("layer/opaque")))
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("layer/etc/.wh.gone").string))
        XCTAssertEqual(try String(contentsOfFile: path("layer/etc/kept").string, encoding: .utf8), "kept")

        try LayerPacker.pack(path("layer"), to: path("out.tar"))
        let listing = try listTar(path("out.tar"))
        XCTAssertEqual(Set(listing), ["etc", "etc/kept", "etc/.wh.gone", "opaque", "opaque/.wh..wh..opq", "opaque/new"])
    }

    func testOwnersModesLinksAndDevicesPreserved() throws {
        let source = path("source")
        try FileManager.default.createDirectory(atPath: source.string, withIntermediateDirectories: true)
        try "data".write(toFile: source.appending("file").string, atomically: true, encoding: .utf8)
        chown(source.appending("file").string, 1234, 5678)  // before chmod: chown clears set-user-ID
        chmod(source.appending("file").string, 0o4711)
        link(source.appending("file").string, source.appending("hardlink").string)
        symlink("file", source.appending("symlink").string)
        mknod(source.appending("null").string, S_IFCHR | 0o666, CShim.cshim_makedev(1, 3))
        try LayerPacker.pack(source, to: path("layer.tar"))
        try LayerUnpacker.unpack(path("layer.tar"), into: path("out"))

        var info = stat()
        XCTAssertEqual(lstat(path("out/file").string, &info), 0)
        XCTAssertEqual(info.st_mode & 0o7777, 0o4711)
        XCTAssertEqual(info.st_uid, 1234)
        XCTAssertEqual(info.st_gid, 5678)
        XCTAssertEqual(info.st_nlink, 2, "the hard link is a hard link again")
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: path("out/symlink").string), "file")
        XCTAssertEqual(lstat(path("out/null").string, &info), 0)
        XCTAssertEqual(info.st_mode & S_IFMT, S_IFCHR)
        XCTAssertEqual(info.st_rdev, CShim.cshim_makedev(1, 3))
    }

    func testExtendedAttributesPreservedButNotOverlays() throws {
        let source = path("xsource")
        try FileManager.default.createDirectory(atPath: source.appending("dir").string, withIntermediateDirectories: true)
        try "data".write(toFile: source.appending("file").string, atomically: true, encoding: .utf8)
        XCTAssertEqual(cshim_lsetxattr(source.appending("file").string, "user.minidock", "kept", 4), 0)
        try Whiteout.markOpaque("dir", in: RootDirectory(source))
        try LayerPacker.pack(source, to: path("x.tar"))
        try LayerUnpacker.unpack(path("x.tar"), into: path("xout"), convertWhiteouts: false)
        var value = [UInt8](repeating: 0, count: 16)
        let count = cshim_lgetxattr(path("xout/file").string, "user.minidock", &value, value.count)
        XCTAssertEqual(String(decoding: value.prefix(max(0, count)), as: UTF8.self), "kept")
        // The opaque marker travels as the OCI entry, not as overlay's private attribute.
        XCTAssertEqual(cshim_lgetxattr(path("xout/dir").string, Whiteout.opaqueAttribute, &value, value.count), -1)
        XCTAssertTrue(FileManager.default.fileExists(atPath: path("xout/dir/.wh..wh..opq").string))
    }

    func testEscapingNamesAreRefusedAndWriteNothingOutside() throws {
        let outside = directory.appendingPathComponent("outside-marker").path
        // GNU tar keeps "../" when told to (-P); a layer with it must be refused.
        let source = path("evil/a")
        try FileManager.default.createDirectory(atPath: source.string, withIntermediateDirectories: true)
        try "x".write(toFile: path("outside-marker-src").string, atomically: true, encoding: .utf8)
        try tar(["-cPf", path("evil.tar").string, "-C", source.string, "--transform", "s|outside-marker-src|../../outside-marker|",
                 "../../outside-marker-src"])
        XCTAssertThrowsError(try LayerUnpacker.unpack(path("evil.tar"), into: path("target"))) { error in
            XCTAssertTrue("\(error)".contains("leads outside the layer"), "\(error)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: outside))
    }

    /// A layer that writes through its own symlink is refused with one line (a layer made from
    /// a real tree never has an entry behind a symlink), and nothing lands outside.
    func testWritingThroughASymlinkIsNeutralized() throws {
        // First a symlink "dir -> <outside>", then "dir/planted" written through it.
        let outside = path("outside")
        try FileManager.default.createDirectory(atPath: outside.string, withIntermediateDirectories: true)
        let stageA = path("stageA"), stageB = path("stageB/dir")
        try FileManager.default.createDirectory(atPath: stageA.string, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: stageB.string, withIntermediateDirectories: true)
        symlink(outside.string, stageA.appending("dir").string)
        try "planted".write(toFile: stageB.appending("planted").string, atomically: true, encoding: .utf8)
        try tar(["-cf", path("evil.tar").string, "-C", stageA.string, "dir", "-C", path("stageB").string, "dir/planted"])
        XCTAssertThrowsError(try LayerUnpacker.unpack(path("evil.tar"), into: path("target"))) {
            XCTAssertTrue("\($0)".contains("entry \"dir/planted\"") && "\($0)".contains("crosses a symlink"), "\($0)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: outside.appending("planted").string))
    }

    func testChangesOfAnUpperDirectory() throws {
        let lower = path("lower"), upper = path("upper")
        for dir in ["etc", "opaque", "bin"] {
            try FileManager.default.createDirectory(atPath: lower.appending(dir).string, withIntermediateDirectories: true)
        }
        for file in ["etc/passwd", "opaque/a", "opaque/b", "bin/sh"] {
            try "x".write(toFile: lower.appending(file).string, atomically: true, encoding: .utf8)
        }
        try FileManager.default.createDirectory(atPath: upper.appending("etc").string, withIntermediateDirectories: true)
        try "y".write(toFile: upper.appending("etc/passwd").string, atomically: true, encoding: .utf8)
        try "new".write(toFile: upper.appending("etc/new").string, atomically: true, encoding: .utf8)
        let upperRoot = try RootDirectory(upper)
        try Whiteout.create("bin/sh", in: upperRoot)
        try Whiteout.markOpaque("opaque", in: upperRoot)
        try "b".write(toFile: upper.appending("opaque/b").string, atomically: true, encoding: .utf8)

        let changes = try Changes.of(upper: upper, lowers: [lower]).map(\.description)
        XCTAssertEqual(changes, ["C /bin", "D /bin/sh", "C /etc", "A /etc/new", "C /etc/passwd",
                                 "C /opaque", "D /opaque/a", "C /opaque/b"])
    }

    func testOverlayOptionsAndTheirLimit() {
        let layout = OverlayLayout(lowers: ["/l/2", "/l/1"], upper: "/c/u", work: "/c/w", merged: "/c/m", links: "/c/l")
        XCTAssertEqual(layout.options, "lowerdir=/l/2:/l/1,upperdir=/c/u,workdir=/c/w")
        XCTAssertEqual(layout.compactOptions, "lowerdir=0:1,upperdir=/c/u,workdir=/c/w")
        XCTAssertEqual(OverlayLayout.maximumOptionLength, 4095)
    }

    func testMissingLayerDirectoryIsRefusedBeforeAnythingIsMade() {
        let layout = OverlayLayout(lowers: [path("no-such-layer")], upper: path("c/upper"), work: path("c/work"),
                                   merged: path("c/merged"), links: path("c/l"))
        XCTAssertThrowsError(try layout.create()) { error in
            XCTAssertEqual("\(error)", "overlay lower layer \(quoted(path("no-such-layer").string)): no such directory")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("c").string))
    }

    func testCorruptTarballIsOneLine() throws {
        try "this is not a tar file".write(toFile: path("bad.tar").string, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try LayerUnpacker.unpack(path("bad.tar"), into: path("out"))) { error in
            XCTAssertTrue("\(error)".hasPrefix("layer \(quoted(path("bad.tar").string)): "), "\(error)")
            XCTAssertFalse("\(error)".contains("\n"))
        }
    }

    func listTar(_ file: FilePath) throws -> [String] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/tar")
        process.arguments = ["-tf", file.string]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map { String($0) }
            .map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
    }
}

/// Hostile layer tarballs, crafted with Python's tarfile: each escape is refused or
/// neutralized, and nothing is written outside the target directory.
final class MaliciousLayerTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("evil-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(at: directory)
    }

    /// Build `evil.tar` with a Python snippet that has `t` (a TarFile) and `add(name, **fields)`.
    func craft(_ body: String) throws -> FilePath {
        let path = directory.appendingPathComponent("evil.tar").path
        let script = """
        import io, tarfile
        t = tarfile.open(\(quoted(path)), "w")
        def add(name, data=b"x", **fields):
            info = tarfile.TarInfo(name)
            for key, value in fields.items(): setattr(info, key, value)
            if info.type == tarfile.REGTYPE: info.size = len(data)
            t.addfile(info, io.BytesIO(data) if info.type == tarfile.REGTYPE else None)
        \(body)
        t.close()
        """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script]
        try process.run()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        return FilePath(path)
    }

    var target: FilePath { FilePath(directory.appendingPathComponent("target").path) }
    var outside: String { directory.appendingPathComponent("outside").path }

    func testDotDotIsRefused() throws {
        let tarball = try craft("add('a/../../outside')")
        XCTAssertThrowsError(try LayerUnpacker.unpack(tarball, into: target)) { XCTAssertTrue("\($0)".contains("leads outside")) }
        XCTAssertFalse(FileManager.default.fileExists(atPath: outside))
    }

    func testAbsoluteNameIsRefused() throws {
        let tarball = try craft("add(\(quoted(outside)))")
        XCTAssertThrowsError(try LayerUnpacker.unpack(tarball, into: target)) { XCTAssertTrue("\($0)".contains("absolute path")) }
        XCTAssertFalse(FileManager.default.fileExists(atPath: outside))
    }

    func testHardLinkOutIsRefused() throws {
        try "secret".write(toFile: outside, atomically: true, encoding: .utf8)
        let tarball = try craft("add('link', type=tarfile.LNKTYPE, linkname='../outside')")
        XCTAssertThrowsError(try LayerUnpacker.unpack(tarball, into: target)) { XCTAssertTrue("\($0)".contains("leads outside")) }
        XCTAssertFalse(FileManager.default.fileExists(atPath: target.appending("link").string))
    }

    func testAbsoluteHardLinkIsRefused() throws {
        let tarball = try craft("add('link', type=tarfile.LNKTYPE, linkname='/etc/passwd')")
        XCTAssertThrowsError(try LayerUnpacker.unpack(tarball, into: target))
    }

    /// A symlink pointing out is ordinary content (`/bin/sh -> /bin/busybox`): it is kept as a
    /// link, never followed. Writing through it afterwards is neutralized.
    func testSymlinkOutThenWriteThroughIt() throws {
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        let tarball = try craft("""
        add('escape', type=tarfile.SYMTYPE, linkname=\(quoted(outside)))
        add('escape/planted', data=b'owned')
        """)
        _ = try? LayerUnpacker.unpack(tarball, into: target)
        XCTAssertFalse(FileManager.default.fileExists(atPath: outside + "/planted"), "nothing written outside")
    }

    func testSymlinkOutIsKeptAsALink() throws {
        let tarball = try craft("add('bin/sh', type=tarfile.SYMTYPE, linkname='/bin/busybox')")
        try LayerUnpacker.unpack(tarball, into: target)
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: target.appending("bin/sh").string), "/bin/busybox")
    }

    /// Whiteouts are made by minidock, not libarchive: behind a symlink they must not reach the
    /// host — device nodes, directories and the opaque xattr (issue 7, item 1). Each form, with
    /// an absolute and a relative link target, through openat2 and through the component walk.
    func testWhiteoutsBehindASymlinkTouchNothingOutside() throws {
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        let depth = String(repeating: "../", count: target.components.count + 2)
        for resolver in ["openat2", "walk"] {
            RootDirectory.openat2Available = resolver == "openat2"
            defer { RootDirectory.openat2Available = true }
            for link in [outside, depth + String(outside.dropFirst())] {
                for entry in ["evil/.wh.x", "evil/new/.wh..wh..opq", "evil/deep/er/.wh.y", "evil/.wh..wh..opq"] {
                    try? FileManager.default.removeItem(atPath: target.string)
                    let tarball = try craft("""
                    add('evil', type=tarfile.SYMTYPE, linkname=\(quoted(link)))
                    add(\(quoted(entry)), data=b'')
                    """)
                    XCTAssertThrowsError(try LayerUnpacker.unpack(tarball, into: target), "\(resolver) \(link) \(entry)") {
                        XCTAssertTrue("\($0)".contains("crosses a symlink"), "\($0)")
                    }
                    XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: outside), [], "\(resolver) \(entry)")
                    var value = [UInt8](repeating: 0, count: 4)
                    XCTAssertEqual(cshim_lgetxattr(outside, Whiteout.opaqueAttribute, &value, 4), -1, "\(resolver) \(entry)")
                }
            }
        }
    }

    /// A hard link whose target lies behind a symlink of the layer names a host file.
    func testHardLinkThroughASymlinkIsRefused() throws {
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        try "secret".write(toFile: outside + "/secret", atomically: true, encoding: .utf8)
        let tarball = try craft("""
        add('evil', type=tarfile.SYMTYPE, linkname=\(quoted(outside)))
        add('stolen', type=tarfile.LNKTYPE, linkname='evil/secret')
        """)
        XCTAssertThrowsError(try LayerUnpacker.unpack(tarball, into: target))
        XCTAssertFalse(FileManager.default.fileExists(atPath: target.appending("stolen").string))
    }

    /// A whiteout that names nothing (`.wh.` alone) or `..` is refused, not made.
    func testWhiteoutOfNothingIsRefused() throws {
        for name in ["a/.wh.", "a/.wh..."] {
            try? FileManager.default.removeItem(atPath: target.string)
            let tarball = try craft("add(\(quoted(name)), data=b'')")
            XCTAssertThrowsError(try LayerUnpacker.unpack(tarball, into: target), name)
        }
    }
}

