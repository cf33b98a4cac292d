import Foundation
import TestSupport
import XCTest

/// Lesson09: from a name in a registry the test starts on 127.0.0.1 to a running container.
final class Lesson09Tests: LessonTestCase {
    var registry: LocalRegistry!

    override func tearDown() {
        registry?.stop()
        registry = nil
        super.tearDown()
    }

    /// The sandbox's rootfs as an image in a fresh registry, made with minidock and skopeo.
    func publishRootfs(as name: String) throws {
        registry = try LocalRegistry(in: sandbox.directory)
        let environment = ["MINIDOCK_ROOT": sandbox.directory.appendingPathComponent("minidock").path]
        let archive = sandbox.directory.appendingPathComponent("image.tar").path
        XCTAssertEqual(try Command.run(Command.binary("minidock"), ["import", sandbox.rootfs.path, "image"], environment: environment).status, 0)
        XCTAssertEqual(try Command.run(Command.binary("minidock"), ["save", "-o", archive, "image"], environment: environment).status, 0)
        try registry.push(archive: archive, as: name)
    }

    var state: String { sandbox.directory.appendingPathComponent("state").path }

    func testFromANameInARegistryToARunningContainer() throws {
        try publishRootfs(as: "library/box:1")
        let result = try lesson("Lesson09", ["--image", "\(registry.host)/library/box:1", "--state", state, "--",
                                             "sh", "-c", "cat /rootfs-marker; hostname; echo $$"], quiet: false)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout, "\(sandbox.rootfsMarkerContent)lesson09\n1\n")
        XCTAssertTrue(result.stderr.contains("is \(registry.host)/library/box:1: registry \(registry.host), repository library/box"), result.stderr)
        XCTAssertTrue(result.stderr.contains("downloaded, digest verified, stored"), result.stderr)
        XCTAssertTrue(result.stderr.contains("mount(\"overlay\""), result.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: state), "the state is removed")
    }

    /// An image whose WorkingDir does not exist gets it made, as Docker does — inside the
    /// container's root, even when the path runs through the image's symlink to a host path.
    func testMissingWorkingDirIsMadeInsideTheContainer() throws {
        registry = try LocalRegistry(in: sandbox.directory)
        let host = sandbox.directory.appendingPathComponent("host-dir").path
        try FileManager.default.createDirectory(atPath: host, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: sandbox.rootfs.appendingPathComponent("evil").path, withDestinationPath: host)
        let layer = sandbox.directory.appendingPathComponent("layer.tar").path
        let archive = sandbox.directory.appendingPathComponent("workdir.tar").path
        XCTAssertEqual(try Command.run("/bin/tar", ["-cf", layer, "-C", sandbox.rootfs.path, "."]).status, 0)
        let script = """
        import hashlib, io, json, tarfile
        layer = open(\"\(layer)\", "rb").read()
        config = json.dumps({"architecture": "amd64", "os": "linux", "config": {"WorkingDir": "/evil/made"},
                             "rootfs": {"type": "layers", "diff_ids": ["sha256:" + hashlib.sha256(layer).hexdigest()]}}).encode()
        with tarfile.open(\"\(archive)\", "w") as out:
            for name, data in [("config.json", config), ("layer.tar", layer),
                               ("manifest.json", json.dumps([{"Config": "config.json", "RepoTags": ["wd:1"], "Layers": ["layer.tar"]}]).encode())]:
                info = tarfile.TarInfo(name); info.size = len(data); out.addfile(info, io.BytesIO(data))
        """
        XCTAssertEqual(try Command.run("/usr/bin/env", ["python3", "-c", script]).status, 0)
        try registry.push(archive: archive, as: "wd:1")
        let result = try lesson("Lesson09", ["--image", "\(registry.host)/wd:1", "--state", state, "--", "sh", "-c", "pwd; ls -d \(host)/made"])
        XCTAssertEqual(result.status, 0, result.stderr)
        // The kernel names the directory by where the link led: the same path, inside the root.
        XCTAssertEqual(result.stdout, "\(host)/made\n\(host)/made\n")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: host), [], "nothing made on the host")
    }

    func testImageWithoutCommandNeedsOne() throws {
        try publishRootfs(as: "box:1")
        assertOneLineError(try lesson("Lesson09", ["--image", "\(registry.host)/box:1", "--state", state]), status: 125,
                           containing: "the image has no command")
    }

    func testBadInput() throws {
        registry = try LocalRegistry(in: sandbox.directory)
        assertOneLineError(try lesson("Lesson09", ["--image", "Not/Valid", "--state", state, "--", "true"]), status: 125,
                           containing: "invalid reference format")
        assertOneLineError(try lesson("Lesson09", ["--image", "\(registry.host)/missing:1", "--state", state, "--", "true"]),
                           status: 125, containing: "not found")
        XCTAssertFalse(FileManager.default.fileExists(atPath: state))
    }
}

extension Lesson09Tests {
    /// While the lesson's container runs from an image in a minidock store, `minidock rmi`
    /// refuses to delete that image; `-f` untags it but keeps its content; afterwards it goes.
    func testRmiRefusesAnImageAContainerUses() throws {
        try publishRootfs(as: "box:1")
        let storeRoot = sandbox.directory.appendingPathComponent("shared-store").path
        let image = "\(registry.host)/box:1"
        let minidock = { (arguments: [String]) in
            try Command.run(Command.binary("minidock"), arguments, environment: ["MINIDOCK_ROOT": storeRoot])
        }
        var refused: CommandResult?
        var forced: CommandResult?
        let run = try lesson("Lesson09", ["--image", image, "--root", storeRoot, "--state", state, "--",
                                          "sh", "-c", "trap 'exit 0' TERM; while true; do sleep 0.1; done"]) { process in
            try Command.waitFor("the container to run") {
                (try? FileManager.default.contentsOfDirectory(atPath: storeRoot + "/images/in-use"))?.isEmpty == false
                    && FileManager.default.fileExists(atPath: self.state + "/container/upper")
            }
            refused = try minidock(["rmi", image])
            forced = try minidock(["rmi", "-f", image])
            // Let the container end: SIGTERM, forwarded to its init, once it traps it.
            try self.waitUntil(self.firstChild(of: process.processIdentifier) ?? 0, handles: SIGTERM)
            kill(process.processIdentifier, SIGTERM)
        }
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(refused?.status, 1)
        XCTAssertTrue(refused?.stderr.contains("conflict: unable to remove repository reference") ?? false, refused?.stderr ?? "")
        XCTAssertTrue(refused?.stderr.contains("(must force) - container lesson09-") ?? false, refused?.stderr ?? "")
        XCTAssertEqual(forced?.status, 0, forced?.stderr ?? "")
        XCTAssertEqual(forced?.stdout, "Untagged: \(image)\n", "untagged only: the content stays while in use")
        // The container is gone: the image, now <none>, can be removed by its ID.
        let id = try minidock(["images", "-q"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertEqual(id.count, 12)
        let removed = try minidock(["rmi", id])
        XCTAssertEqual(removed.status, 0, removed.stderr)
        XCTAssertTrue(removed.stdout.hasPrefix("Deleted: sha256:\(id)"), removed.stdout)
    }
}
