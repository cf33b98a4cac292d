import Foundation
import TestSupport
import XCTest

/// minidock-runc under the engines that use runc: podman (through conmon), containerd (through
/// its runc shim v2, as Kubernetes reaches it) and Docker (dockerd with `--add-runtime`). Each
/// engine is started by the test with its state under a temporary directory and stopped by PID;
/// each runs the busybox image, takes the container's exit code, execs into a running one,
/// stops and removes it. Engines ask for things minidock does not do yet, so the tests say so:
/// `seccomp=unconfined` (no seccomp filter yet) and a cgroup parent of `/minidock` (minidock
/// makes cgroups only under its own parent).
final class EngineTests: XCTestCase {
    var work: URL!
    var runc: String { work.appendingPathComponent("minidock-runc").path }
    var archive: String { work.appendingPathComponent("busybox.tar").path }
    /// Paths some engines create on the host whatever their flags say: removed again if the test made them.
    static let hostLeftovers = ["/etc/docker/key.json", "/run/docker", "/run/containerd"]
    var existedBefore: Set<String> = []
    var started: [Process] = []
    var cgroupsBefore: Set<String> = []
    /// The cgroups (directories) under minidock's parent in the memory hierarchy.
    static func minidockCgroups() -> Set<String> {
        let parent = "/sys/fs/cgroup/memory/minidock"
        return Set(((try? FileManager.default.contentsOfDirectory(atPath: parent)) ?? []).filter { name in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: "\(parent)/\(name)", isDirectory: &isDirectory) && isDirectory.boolValue
        })
    }

    override func setUpWithError() throws {
        try XCTSkipUnless(getuid() == 0, "engines need root (make test)")
        work = FileManager.default.temporaryDirectory.appendingPathComponent("minidock-engines-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: runc, withDestinationPath: MinidockCLITests.binary)
        existedBefore = Set(Self.hostLeftovers.filter { FileManager.default.fileExists(atPath: $0) })
        cgroupsBefore = Self.minidockCgroups()
        // The busybox image as a docker-archive, made by minidock.
        let environment = ["MINIDOCK_ROOT": work.appendingPathComponent("minidock").path]
        XCTAssertEqual(try run(MinidockCLITests.binary, ["import", StoreTestCase.fixture.path, "busybox:engines"], environment).status, 0)
        XCTAssertEqual(try run(MinidockCLITests.binary, ["save", "-o", archive, "busybox:engines"], environment).status, 0)
    }

    override func tearDown() {
        for process in started.reversed() where process.isRunning {
            kill(process.processIdentifier, SIGTERM)
            let deadline = Date().addingTimeInterval(10)
            while process.isRunning && Date() < deadline { usleep(20_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        started = []
        XCTAssertEqual(Self.minidockCgroups().subtracting(cgroupsBefore).subtracting(["conmon"]), [], "a container's cgroup was left")
        // podman puts conmon in `<cgroup parent>/conmon`: ours to remove, once empty.
        for hierarchy in (try? FileManager.default.contentsOfDirectory(atPath: "/sys/fs/cgroup")) ?? [] {
            rmdir("/sys/fs/cgroup/\(hierarchy)/minidock/conmon")
            rmdir("/sys/fs/cgroup/\(hierarchy)/minidock")
        }
        if let work {
            let mounts = ((try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) ?? "").split(separator: "\n")
            for line in mounts.reversed() where line.contains(work.path) {
                let fields = line.split(separator: " ")
                if fields.count > 4 { umount2(String(fields[4]), Int32(MNT_DETACH)) }
            }
            XCTAssertFalse(mounts.contains { $0.contains(work.path) }, "an engine left a mount")
            try? FileManager.default.removeItem(at: work)
        }
        for path in Self.hostLeftovers where !existedBefore.contains(path) { try? FileManager.default.removeItem(atPath: path) }
    }

    @discardableResult
    func run(_ executable: String, _ arguments: [String], _ environment: [String: String] = [:]) throws -> ProcessResult {
        try ProcessRunner.runLeavingDaemons(executable, arguments, environment: environment, in: work)
    }

    /// Start a daemon (output to a log file), remember it to stop it by PID, wait for its socket.
    func daemon(_ executable: String, _ arguments: [String], socket: String) throws {
        let log = work.appendingPathComponent("\(URL(fileURLWithPath: executable).lastPathComponent).log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: log)
        process.standardError = try FileHandle(forWritingTo: log)
        try process.run()
        started.append(process)
        let deadline = Date().addingTimeInterval(30)
        while !FileManager.default.fileExists(atPath: socket) && process.isRunning && Date() < deadline { usleep(50_000) }
        XCTAssertTrue(FileManager.default.fileExists(atPath: socket), (try? String(contentsOf: log, encoding: .utf8)) ?? "")
    }

    func testPodmanRunsExecsStopsAndRemovesThroughMinidock() throws {
        let conf = work.appendingPathComponent("containers.conf")
        // Raising rlimits is refused on this machine (no CAP_SYS_RESOURCE): podman's defaults would.
        try """
        [containers]
        default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]
        [engine]
        cgroup_manager = "cgroupfs"
        events_logger = "file"
        """.write(to: conf, atomically: true, encoding: .utf8)
        // The runtime's own state under this test's directory, not /run/minidock-runc: through the
        // environment, which conmon passes on to podman's clean-up too (a --runtime-flag it drops).
        let environment = ["CONTAINERS_CONF": conf.path, "MINIDOCK_RUNC_ROOT": work.appendingPathComponent("runtime-state").path]
        let podman = ["--root", work.appendingPathComponent("podman/root").path, "--runroot", work.appendingPathComponent("podman/run").path,
                      "--tmpdir", work.appendingPathComponent("podman/tmp").path, "--storage-driver", "vfs", "--runtime", runc]
        let runFlags = ["--network", "none", "--cgroup-parent=/minidock", "--security-opt", "seccomp=unconfined"]
        XCTAssertEqual(try run("/usr/bin/podman", podman + ["load", "-i", archive], environment).status, 0)

        let once = try run("/usr/bin/podman", podman + ["run", "--rm"] + runFlags + ["busybox:engines", "sh", "-c", "echo hi from podman; exit 3"], environment)
        XCTAssertEqual(once.status, 3, once.stderr)
        XCTAssertEqual(once.stdout, "hi from podman\n")

        let detached = try run("/usr/bin/podman", podman + ["run", "-d"] + runFlags + ["busybox:engines", "sleep", "60"], environment)
        XCTAssertEqual(detached.status, 0, detached.stderr)
        let id = detached.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let exec = try run("/usr/bin/podman", podman + ["exec", id, "sh", "-c", "echo pid $$; exit 4"], environment)
        XCTAssertEqual(exec.status, 4, exec.stderr)
        XCTAssertEqual(exec.stdout, "pid 2\n")
        XCTAssertEqual(try run("/usr/bin/podman", podman + ["stop", "-t", "1", id], environment).status, 0)
        XCTAssertEqual(try run("/usr/bin/podman", podman + ["rm", id], environment).status, 0)
        XCTAssertEqual(try run("/usr/bin/podman", podman + ["ps", "-aq"], environment).stdout, "")
        XCTAssertFalse(FileManager.default.fileExists(atPath: "/sys/fs/cgroup/memory/minidock/libpod-\(id)"))
    }

    func testContainerdRunsAndExecsThroughMinidock() throws {
        let root = work.appendingPathComponent("containerd")
        let socket = root.appendingPathComponent("containerd.sock").path
        let config = root.appendingPathComponent("config.toml")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try """
        version = 2
        root = "\(root.path)/root"
        state = "\(root.path)/state"
        [grpc]
          address = "\(socket)"
        [plugins."io.containerd.grpc.v1.cri"]
          disable_cgroup = true
        """.write(to: config, atomically: true, encoding: .utf8)
        try daemon("/usr/bin/containerd", ["--config", config.path], socket: socket)
        let ctr = ["--address", socket]
        let runtimeRoot = ["--runc-binary", runc, "--runc-root", root.appendingPathComponent("runtime-state").path]
        XCTAssertEqual(try run("/usr/bin/ctr", ctr + ["images", "import", archive]).status, 0)
        let image = "docker.io/library/busybox:engines"

        let once = try run("/usr/bin/ctr", ctr + ["run", "--rm"] + runtimeRoot + ["--cgroup", "/minidock/ctr-once", image, "ctr-once",
                                                  "sh", "-c", "echo hi from containerd; exit 6"])
        XCTAssertEqual(once.status, 6, once.stderr)
        XCTAssertEqual(once.stdout, "hi from containerd\n")

        XCTAssertEqual(try run("/usr/bin/ctr", ctr + ["run", "-d"] + runtimeRoot + ["--cgroup", "/minidock/ctr-bg", image, "ctr-bg", "sleep", "60"]).status, 0)
        let exec = try run("/usr/bin/ctr", ctr + ["task", "exec", "--exec-id", "e1", "ctr-bg", "sh", "-c", "echo exec; exit 2"])
        XCTAssertEqual(exec.status, 2, exec.stderr)
        XCTAssertEqual(exec.stdout, "exec\n")
        XCTAssertEqual(try run("/usr/bin/ctr", ctr + ["task", "kill", "-s", "SIGKILL", "ctr-bg"]).status, 0)
        let deadline = Date().addingTimeInterval(10)
        while try run("/usr/bin/ctr", ctr + ["task", "rm", "ctr-bg"]).status != 0 && Date() < deadline { usleep(100_000) }
        XCTAssertEqual(try run("/usr/bin/ctr", ctr + ["containers", "rm", "ctr-bg"]).status, 0)
        XCTAssertFalse(FileManager.default.fileExists(atPath: "/sys/fs/cgroup/memory/minidock/ctr-bg"))
    }

    func testDockerRunsAndExecsThroughMinidock() throws {
        let root = work.appendingPathComponent("docker")
        let socket = root.appendingPathComponent("docker.sock").path
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try daemon("/usr/sbin/dockerd", ["--data-root", root.appendingPathComponent("data").path, "--exec-root", root.appendingPathComponent("exec").path,
                                         "--pidfile", root.appendingPathComponent("docker.pid").path, "-H", "unix://\(socket)",
                                         "--bridge=none", "--iptables=false", "--ip6tables=false", "--add-runtime", "minidock=\(runc)"], socket: socket)
        let docker = ["-H", "unix://\(socket)"]
        let flags = ["--runtime", "minidock", "--network", "none", "--cgroup-parent", "/minidock", "--security-opt", "seccomp=unconfined"]
        XCTAssertEqual(try run("/usr/bin/docker", docker + ["load", "-i", archive]).status, 0)

        let once = try run("/usr/bin/docker", docker + ["run", "--rm"] + flags + ["busybox:engines", "sh", "-c", "echo hi from docker; exit 9"])
        XCTAssertEqual(once.status, 9, once.stderr)
        XCTAssertEqual(once.stdout, "hi from docker\n")

        let detached = try run("/usr/bin/docker", docker + ["run", "-d"] + flags + ["busybox:engines", "sleep", "60"])
        XCTAssertEqual(detached.status, 0, detached.stderr)
        let id = detached.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let exec = try run("/usr/bin/docker", docker + ["exec", id, "sh", "-c", "echo exec; exit 3"])
        XCTAssertEqual(exec.status, 3, exec.stderr)
        XCTAssertEqual(try run("/usr/bin/docker", docker + ["stop", "-t", "1", id]).status, 0)
        XCTAssertEqual(try run("/usr/bin/docker", docker + ["rm", id]).status, 0)
        XCTAssertFalse(FileManager.default.fileExists(atPath: "/sys/fs/cgroup/memory/minidock/\(id)"))
    }
}
