import Foundation
import XCTest

/// `load` of hostile archives (issue 7, item 3): a member named by the archive's manifest that
/// is a symlink — to a host file, a FIFO, a device — or sits under a symlinked directory is
/// refused in one line naming the member, reveals nothing of the host, and stores nothing.
final class ArchiveMemberTests: StoreTestCase {
    /// A secret on the host that the archives point at.
    var secret: URL { work.appendingPathComponent("host-secret") }

    /// Tar up `members` (name → file contents, "->target" for a symlink, "@path" for a copy of
    /// a file) as an archive.
    func archive(_ name: String, _ members: [(String, String)]) throws -> String {
        let directory = work.appendingPathComponent("build-\(name)")
        for (path, content) in members {
            let url = directory.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            if content.hasPrefix("->") {
                try FileManager.default.createSymbolicLink(atPath: url.path, withDestinationPath: String(content.dropFirst(2)))
            } else if content.hasPrefix("@") {
                try FileManager.default.copyItem(atPath: String(content.dropFirst()), toPath: url.path)
            } else {
                try content.write(to: url, atomically: true, encoding: .utf8)
            }
        }
        let output = work.appendingPathComponent("\(name).tar").path
        XCTAssertEqual(try run("/bin/tar", ["-cf", output, "-C", directory.path, "."]).status, 0)
        return output
    }

    func assertRefused(_ archive: String, member: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let result = try minidock(["load", "-i", archive])
        XCTAssertEqual(result.status, 1, result.stderr, file: file, line: line)
        XCTAssertEqual(result.stderr.split(separator: "\n").count, 1, result.stderr, file: file, line: line)
        XCTAssertTrue(result.stderr.contains("member \"\(member)\" is not a regular file"), result.stderr, file: file, line: line)
        XCTAssertFalse(result.stderr.contains("SECRET") || result.stderr.contains(hostDigest), result.stderr, file: file, line: line)
        XCTAssertEqual(blobs, [], "nothing stored", file: file, line: line)
    }

    var hostDigest: String {
        String((try? run("/usr/bin/sha256sum", [secret.path]).stdout.prefix(64)) ?? "unknown")
    }

    override func setUpWithError() throws {
        try super.setUpWithError()
        try "SECRET host file\n".write(to: secret, atomically: true, encoding: .utf8)
    }

    func testDockerArchiveMembersThatAreSymlinksAreRefused() throws {
        let layer = work.appendingPathComponent("layer.tar").path
        XCTAssertEqual(try run("/bin/tar", ["-cf", layer, "-C", Self.fixture.path, "."]).status, 0)
        let diffID = String(try run("/usr/bin/sha256sum", [layer]).stdout.prefix(64))
        let config = #"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["sha256:\#(diffID)"]}}"#
        func manifest(_ config: String, _ layer: String) -> String {
            #"[{"Config":"\#(config)","RepoTags":["evil:1"],"Layers":["\#(layer)"]}]"#
        }
        let fifo = work.appendingPathComponent("fifo").path
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)

        // The config is a symlink to a host file.
        try assertRefused(try archive("config", [("manifest.json", manifest("c.json", "l.tar")), ("c.json", "->\(secret.path)")]),
                          member: "c.json")
        // A layer is a symlink to a host file (its digest would be revealed), to a FIFO (load
        // would block), to /dev/zero (load would fill the disk).
        for (name, target) in [("hostfile", secret.path), ("fifo", fifo), ("zero", "/dev/zero")] {
            try assertRefused(try archive(name, [("manifest.json", manifest("c.json", "l.tar")), ("c.json", config),
                                                 ("l.tar", "->\(target)")]), member: "l.tar")
        }
        // A symlink inside the archive is refused too, though it stays inside: no member is a link.
        try assertRefused(try archive("inner", [("manifest.json", manifest("c.json", "l.tar")), ("c.json", config),
                                                ("real.tar", "x"), ("l.tar", "->real.tar")]), member: "l.tar")
        // A directory on the way is a symlink to a host directory.
        try assertRefused(try archive("directory", [("manifest.json", manifest("d/host-secret", "l.tar")),
                                                    ("d", "->\(work.path)")]), member: "d/host-secret")
        // The second image of two is bad: the first is not stored either.
        let two = #"[{"Config":"c.json","RepoTags":["good:1"],"Layers":["l.tar"]},{"Config":"bad.json","RepoTags":["evil:1"],"Layers":["l.tar"]}]"#
        try assertRefused(try archive("second", [("manifest.json", two), ("c.json", config), ("l.tar", "@\(layer)"),
                                                 ("bad.json", "->\(secret.path)")]), member: "bad.json")
        XCTAssertEqual(try minidock(["images", "-q"]).stdout, "")
        // manifest.json itself.
        try assertRefused(try archive("manifest", [("manifest.json", "->\(secret.path)")]), member: "manifest.json")
    }

    func testOCILayoutMembersThatAreSymlinksAreRefused() throws {
        // The blob's name is the archive's choice, not the host file's digest.
        let digest = String(repeating: "a", count: 64)
        try assertRefused(try archive("index", [("oci-layout", #"{"imageLayoutVersion":"1.0.0"}"#), ("index.json", "->\(secret.path)")]),
                          member: "index.json")
        let index = #"{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:\#(digest)","size":17}]}"#
        try assertRefused(try archive("blob", [("oci-layout", #"{"imageLayoutVersion":"1.0.0"}"#), ("index.json", index),
                                               ("blobs/sha256/\(digest)", "->\(secret.path)")]),
                          member: "blobs/sha256/\(digest)")
    }
}
