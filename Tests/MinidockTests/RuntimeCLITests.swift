import Foundation
import TestSupport
import XCTest

/// `minidock-runc`: runc's command line on the runtime layer, run as an engine runs it — one
/// process per verb, state under `--root` — and checked in the kernel: the held process, the
/// cgroup, the namespaces, what the container may and may not do, and that nothing is left.
final class RuntimeCLITests: XCTestCase {
    var work: URL!
    var bundle: URL { work.appendingPathComponent("bundle") }
    var stateRoot: String { work.appendingPathComponent("state").path }
    var runc: String { work.appendingPathComponent("minidock-runc").path }
    static let fixture = StoreTestCase.fixture

    override func setUpWithError() throws {
        try XCTSkipUnless(getuid() == 0, "containers need root (make test)")
        work = FileManager.default.temporaryDirectory.appendingPathComponent("minidock-runc-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: bundle, withIntermediateDirectories: true)
        // Engines call the runtime by a path: the same binary under runc's name.
        try FileManager.default.createSymbolicLink(atPath: runc, withDestinationPath: MinidockCLITests.binary)
        XCTAssertEqual(try run(runc, ["spec", "-b", bundle.path]).status, 0)
        XCTAssertEqual(try run("/bin/cp", ["-a", Self.fixture.path, bundle.appendingPathComponent("rootfs").path]).status, 0)
    }

    override func tearDown() {
        // Whatever a failed test left: delete every container of this root by its own verb.
        if let work {
            for id in (try? run(runc, ["--root", stateRoot, "list", "-q"]).stdout.split(separator: "\n")) ?? [] {
                _ = try? run(runc, ["--root", stateRoot, "delete", "--force", String(id)])
            }
            XCTAssertFalse(FileManager.default.fileExists(atPath: "/sys/fs/cgroup/memory/minidock/\(work.lastPathComponent)"))
            try? FileManager.default.removeItem(at: work)
        }
    }

    /// Run a command with its output in files, not pipes: a container created by it inherits
    /// its stdio (runc's rule, which engines rely on), so a pipe would stay open, and a reader
    /// waiting for its end would wait as long as the container lives.
    func run(_ executable: String, _ arguments: [String]) throws -> ProcessResult {
        try ProcessRunner.runLeavingDaemons(executable, arguments, in: work)
    }

    /// A verb under this test's root.
    @discardableResult
    func runtime(_ arguments: [String]) throws -> ProcessResult {
        try run(runc, ["--root", stateRoot] + arguments)
    }

    /// Edit config.json: `change` gets the decoded object.
    func configure(_ change: (inout [String: Any]) -> Void) throws {
        let path = bundle.appendingPathComponent("config.json")
        var config = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: path)) as? [String: Any])
        change(&config)
        try JSONSerialization.data(withJSONObject: config, options: [.prettyPrinted]).write(to: path)
    }

    func command(_ args: [String], terminal: Bool = false) throws {
        try configure { config in
            var process = config["process"] as! [String: Any]
            process["args"] = args
            process["terminal"] = terminal
            config["process"] = process
        }
    }

    func state(_ id: String) throws -> [String: Any] {
        let result = try runtime(["state", id])
        XCTAssertEqual(result.status, 0, result.stderr)
        return try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    }

    func status(_ id: String) throws -> String { try state(id)["status"] as? String ?? "?" }

    var rootfsMarker: String { bundle.appendingPathComponent("rootfs/ran").path }

    // MARK: the lifecycle

    func testCreateHoldsTheProcessUntilStartThenKillAndDelete() throws {
        // The rootfs is read-only in runc's default spec: a marker goes to a writable place.
        try configure { config in
            var root = config["root"] as! [String: Any]
            root["readonly"] = false
            config["root"] = root
        }
        try command(["sh", "-c", "echo ran > /ran; exec sleep 30"])
        let pidFile = work.appendingPathComponent("pid").path
        let create = try runtime(["create", "--bundle", bundle.path, "--pid-file", pidFile, "box"])
        XCTAssertEqual(create.status, 0, create.stderr)
        XCTAssertEqual(try status("box"), "created")
        let pid = try XCTUnwrap(Int32(try String(contentsOfFile: pidFile, encoding: .utf8)))
        XCTAssertEqual(try state("box")["pid"] as? Int, Int(pid))
        // Held: alive, in its own namespaces and cgroup, and its program has not run.
        XCTAssertEqual(kill(pid, 0), 0)
        XCTAssertNotEqual(try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/ns/pid"),
                          try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/ns/pid"))
        XCTAssertTrue(try String(contentsOfFile: "/proc/\(pid)/cgroup", encoding: .utf8).contains("/minidock/box"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: rootfsMarker), "the program ran before start")

        XCTAssertEqual(try runtime(["start", "box"]).status, 0)
        try waitFor { FileManager.default.fileExists(atPath: self.rootfsMarker) }
        XCTAssertEqual(try status("box"), "running")
        XCTAssertTrue(try String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8).hasPrefix("sleep"))
        let again = try runtime(["start", "box"])
        XCTAssertEqual(again.status, 1)
        XCTAssertTrue(again.stderr.contains("already been started"), again.stderr)

        let refused = try runtime(["delete", "box"])
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.stderr.contains("cannot delete container box that is not stopped: running"), refused.stderr)

        XCTAssertEqual(try runtime(["kill", "box", "KILL"]).status, 0)
        try waitFor { (try? self.status("box")) == "stopped" }
        XCTAssertEqual(try state("box")["pid"] as? Int, 0)
        XCTAssertEqual(try runtime(["kill", "box"]).stderr, "minidock-runc: container not running\n")
        XCTAssertEqual(try runtime(["delete", "box"]).status, 0)
        let gone = try runtime(["state", "box"])
        XCTAssertEqual(gone.status, 1)
        XCTAssertEqual(gone.stderr, "minidock-runc: container does not exist: box\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: "/sys/fs/cgroup/memory/minidock/box"))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: stateRoot), [])
    }

    func testRunWaitsAndExitsWithTheContainersStatus() throws {
        try command(["sh", "-c", "echo out; echo err >&2; exit 7"])
        let result = try runtime(["run", "--bundle", bundle.path, "once"])
        XCTAssertEqual(result.status, 7)
        XCTAssertEqual(result.stdout, "out\n")
        XCTAssertEqual(result.stderr, "err\n")
        XCTAssertEqual(try runtime(["list", "-q"]).stdout, "", "run deletes the container it waited for")

        // An init killed by a signal (here the OOM killer, under linux.resources) is 128+N.
        try command(["dd", "if=/dev/zero", "of=/dev/null", "bs=64M", "count=1"])
        try configure { config in
            var linux = config["linux"] as! [String: Any]
            linux["resources"] = ["memory": ["limit": 33_554_432, "swap": 33_554_432]]
            config["linux"] = linux
        }
        XCTAssertEqual(try runtime(["run", "--bundle", bundle.path, "killed"]).status, 137)
    }

    /// runc's default spec, for real: three capabilities and none effective for a user that is
    /// not root, no new privileges, a read-only root, /proc's dangerous files masked or
    /// read-only, the user and groups asked for.
    func testTheDefaultConfinementHolds() throws {
        try configure { config in
            var process = config["process"] as! [String: Any]
            process["user"] = ["uid": 1000, "gid": 1000, "additionalGids": [10]]
            config["process"] = process
        }
        try command(["sh", "-c", """
            grep -E '^(CapBnd|CapEff|NoNewPrivs)' /proc/self/status; id
            touch /x 2>/dev/null || echo read-only root
            echo 1 > /proc/sys/kernel/ns_last_pid 2>/dev/null || echo read-only proc/sys
            wc -c < /proc/timer_list
            """])
        let result = try runtime(["run", "--bundle", bundle.path, "confined"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout.split(separator: "\n").map(String.init), [
            "CapEff:\t0000000000000000", "CapBnd:\t0000000020000420", "NoNewPrivs:\t1", "uid=1000 gid=1000 groups=10",
            "read-only root", "read-only proc/sys", "0",
        ])
    }

    /// What minidock does not implement is refused with one line, and nothing is left.
    func testUnimplementedFieldsAreRefusedAndLeaveNothing() throws {
        let cases: [(String, (inout [String: Any]) -> Void)] = [
            ("linux.seccomp", { config in var linux = config["linux"] as! [String: Any]; linux["seccomp"] = ["defaultAction": "SCMP_ACT_ERRNO"]; config["linux"] = linux }),
            ("linux.devices", { config in var linux = config["linux"] as! [String: Any]; linux["devices"] = [["path": "/dev/sda", "type": "b", "major": 8, "minor": 0]]; config["linux"] = linux }),
            ("linux.namespaces[0]", { config in var linux = config["linux"] as! [String: Any]; linux["namespaces"] = [["type": "network", "path": "/proc/1/ns/net"]]; config["linux"] = linux }),
            ("a new user namespace", { config in var linux = config["linux"] as! [String: Any]; linux["namespaces"] = [["type": "user"]]; config["linux"] = linux }),
            ("is not namespaced", { config in var linux = config["linux"] as! [String: Any]; linux["sysctl"] = ["kernel.core_pattern": "|/tmp/x"]; config["linux"] = linux }),
            ("unknown capability", { config in var process = config["process"] as! [String: Any]; process["capabilities"] = ["bounding": ["CAP_NOPE"]]; config["process"] = process }),
            ("/minidock only", { config in var linux = config["linux"] as! [String: Any]; linux["cgroupsPath"] = "/elsewhere/x"; config["linux"] = linux }),
        ]
        let pristine = try Data(contentsOf: bundle.appendingPathComponent("config.json"))
        for (expected, change) in cases {
            try pristine.write(to: bundle.appendingPathComponent("config.json"))
            try command(["true"])
            try configure(change)
            let result = try runtime(["create", "--bundle", bundle.path, "refused"])
            XCTAssertEqual(result.status, 1, expected)
            XCTAssertEqual(result.stderr.split(separator: "\n").count, 1, result.stderr)
            XCTAssertTrue(result.stderr.contains(expected), "\(expected): \(result.stderr)")
            XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: stateRoot), [], expected)
            XCTAssertFalse(FileManager.default.fileExists(atPath: "/sys/fs/cgroup/memory/minidock/refused"), expected)
        }
    }

    func testBadIDsDuplicatesAndMissingCommands() throws {
        try command(["sleep", "30"])
        for id in ["", "../escape", "a/b", ".", "..", "sp ace"] {
            let result = try runtime(["create", "--bundle", bundle.path, id])
            XCTAssertEqual(result.status, 1, id)
            XCTAssertTrue(result.stderr.contains("invalid container id"), "\(id): \(result.stderr)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: work.appendingPathComponent("escape").path))
        XCTAssertEqual(try runtime(["create", "--bundle", bundle.path, "one"]).status, 0)
        let twice = try runtime(["create", "--bundle", bundle.path, "one"])
        XCTAssertEqual(twice.stderr, "minidock-runc: container with id exists: one\n")
        XCTAssertEqual(try runtime(["delete", "one"]).status, 0, "a created container is deleted without --force")

        try command(["no-such-program"])
        let missing = try runtime(["create", "--bundle", bundle.path, "missing"])
        XCTAssertEqual(missing.status, 127, "a command that is not there: Docker's 127, not runc's generic 1")
        XCTAssertTrue(missing.stderr.contains("no-such-program"), missing.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: stateRoot), [])
        XCTAssertEqual(try runtime(["--systemd-cgroup", "list"]).status, 1)
        XCTAssertEqual(try runtime(["delete", "--force", "never-was"]).status, 0, "runc: --force on nothing is fine")
    }

    /// A `create` killed midway leaves a record without a PID; the next `delete` removes it.
    func testAKilledCreateIsCleanedUpByDelete() throws {
        try command(["true"])
        let hookPID = work.appendingPathComponent("hook.pid").path
        try configure { config in
            config["hooks"] = ["createRuntime": [["path": "/bin/sh", "args": ["sh", "-c", "echo $$ > \(hookPID); exec sleep 30"]]]]
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: runc)
        process.arguments = ["--root", stateRoot, "create", "--bundle", bundle.path, "interrupted"]
        try process.run()
        try waitFor { FileManager.default.fileExists(atPath: "\(self.stateRoot)/interrupted/state.json") }
        usleep(200_000)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        // The hook outlives its runtime (as runc's would): ended by the PID it wrote.
        if let pid = Int32((try? String(contentsOfFile: hookPID, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") {
            kill(pid, SIGKILL)
        }
        try waitFor { (try? self.status("interrupted")) == "stopped" }
        XCTAssertEqual(try runtime(["delete", "interrupted"]).status, 0)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: stateRoot), [])
        XCTAssertFalse(FileManager.default.fileExists(atPath: "/sys/fs/cgroup/memory/minidock/interrupted"))
    }

    // MARK: hooks, terminal, the rest of runc's verbs

    func testHooksGetTheStateOnStdinAndAFailingHookFailsCreate() throws {
        let log = work.appendingPathComponent("hooks.log").path
        let hook = { (name: String) -> [String: Any] in
            ["path": "/bin/sh", "args": ["sh", "-c", "read -r state; echo \(name) \"$state\" >> \(log)"]]
        }
        try command(["true"])
        try configure { config in
            config["hooks"] = ["createRuntime": [hook("createRuntime")], "poststart": [hook("poststart")], "poststop": [hook("poststop")]]
        }
        XCTAssertEqual(try runtime(["run", "--bundle", bundle.path, "hooked"]).status, 0)
        let lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.map { $0.split(separator: " ").first.map(String.init) ?? "" }, ["createRuntime", "poststart", "poststop"])
        XCTAssertTrue(lines[0].contains("\"id\":\"hooked\"") && lines[0].contains("\"status\":\"creating\""), String(lines[0]))

        try configure { config in config["hooks"] = ["createRuntime": [["path": "/bin/false"]]] }
        let failed = try runtime(["create", "--bundle", bundle.path, "hookfail"])
        XCTAssertEqual(failed.status, 1)
        XCTAssertTrue(failed.stderr.contains("createRuntime hook 0"), failed.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: stateRoot), [])
    }

    /// process.terminal: the pty's master reaches the --console-socket listener (SCM_RIGHTS),
    /// and the container's stdio is the terminal.
    func testTheTerminalGoesToTheConsoleSocket() throws {
        try command(["sh", "-c", "tty; echo on-the-terminal"], terminal: true)
        let socketPath = work.appendingPathComponent("console.sock").path
        let listener = """
        import socket, os, array, sys
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); s.bind(sys.argv[1]); s.listen(1)
        print("ready", flush=True)
        c, _ = s.accept()
        msg, fds, flags, addr = socket.recv_fds(c, 4096, 1)
        out = b""
        while True:
            try:
                chunk = os.read(fds[0], 4096)
            except OSError:
                break
            if not chunk: break
            out += chunk
        sys.stdout.write(out.decode())
        """
        let python = Process()
        python.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        python.arguments = ["-c", listener, socketPath]
        let output = Pipe()
        python.standardOutput = output
        try python.run()
        try waitFor { FileManager.default.fileExists(atPath: socketPath) }
        let create = try runtime(["create", "--bundle", bundle.path, "--console-socket", socketPath, "tty"])
        XCTAssertEqual(create.status, 0, create.stderr)
        XCTAssertEqual(try runtime(["start", "tty"]).status, 0)
        python.waitUntilExit()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertTrue(text.contains("/dev/pts/0"), text)
        XCTAssertTrue(text.contains("on-the-terminal"), text)
        try waitFor { (try? self.status("tty")) == "stopped" }
        XCTAssertEqual(try runtime(["delete", "tty"]).status, 0)

        let noSocket = try runtime(["create", "--bundle", bundle.path, "tty2"])
        XCTAssertEqual(noSocket.status, 1)
        XCTAssertTrue(noSocket.stderr.contains("--console-socket"), noSocket.stderr)
    }

    func testPsPauseResumeUpdateEventsAndListAsJSON() throws {
        try command(["sh", "-c", "sleep 30 & exec sleep 31"])
        XCTAssertEqual(try runtime(["run", "--detach", "--bundle", bundle.path, "busy"]).status, 0)
        try waitFor { (try? self.runtime(["ps", "--format", "json", "busy"]).stdout.split(separator: ",").count) == 2 }
        let table = try runtime(["ps", "busy"]).stdout
        XCTAssertTrue(table.hasPrefix("UID") && table.contains("sleep 30") && table.contains("sleep 31"), table)

        XCTAssertEqual(try runtime(["pause", "busy"]).status, 0)
        XCTAssertEqual(try status("busy"), "paused")
        XCTAssertEqual(try String(contentsOfFile: "/sys/fs/cgroup/freezer/minidock/busy/freezer.state", encoding: .utf8), "FROZEN\n")
        XCTAssertEqual(try runtime(["resume", "busy"]).status, 0)
        XCTAssertEqual(try status("busy"), "running")

        XCTAssertEqual(try runtime(["update", "--memory", "67108864", "--pids-limit", "50", "busy"]).status, 0)
        XCTAssertEqual(try String(contentsOfFile: "/sys/fs/cgroup/memory/minidock/busy/memory.limit_in_bytes", encoding: .utf8), "67108864\n")
        XCTAssertEqual(try String(contentsOfFile: "/sys/fs/cgroup/pids/minidock/busy/pids.max", encoding: .utf8), "50\n")

        let events = try runtime(["events", "--stats", "busy"])
        let event = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(events.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(event["type"] as? String, "stats")
        XCTAssertEqual(((event["data"] as? [String: Any])?["pids"] as? [String: Any])?["current"] as? Int, 2)

        let list = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(try runtime(["list", "--format", "json"]).stdout.utf8)) as? [[String: Any]])
        XCTAssertEqual(list.map { $0["id"] as? String }, ["busy"])
        XCTAssertEqual(try runtime(["kill", "--all", "busy", "9"]).status, 0)
        try waitFor { (try? self.status("busy")) == "stopped" }
        XCTAssertEqual(try runtime(["delete", "busy"]).status, 0)
    }

    func testErrorsGoToTheJSONLogAndSpecNeverOverwrites() throws {
        let log = work.appendingPathComponent("runtime.log").path
        let result = try run(runc, ["--root", stateRoot, "--log", log, "--log-format", "json", "state", "ghost"])
        XCTAssertEqual(result.status, 1)
        let entry = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(try String(contentsOfFile: log, encoding: .utf8).utf8)) as? [String: Any])
        XCTAssertEqual(entry["level"] as? String, "error")
        XCTAssertEqual(entry["msg"] as? String, "container does not exist: ghost")

        let again = try run(runc, ["spec", "-b", bundle.path])
        XCTAssertEqual(again.status, 1)
        XCTAssertTrue(again.stderr.contains("exists"), again.stderr)
        let features = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(try run(runc, ["features"]).stdout.utf8)) as? [String: Any])
        XCTAssertEqual(features["ociVersionMax"] as? String, "1.2.0")
    }

    /// No descriptor of the caller's reaches the container (an engine's, a leaked one).
    func testNoDescriptorLeaksIntoTheContainer() throws {
        try command(["ls", "/proc/self/fd"])
        let result = try run("/bin/sh", ["-c", "exec 7</etc/hostname 9>/dev/null; exec \(runc) --root \(stateRoot) run --bundle \(bundle.path) fds"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout.split(separator: "\n"), ["0", "1", "2", "3"], "3 is ls's own directory")
    }

    func waitFor(_ condition: @escaping () throws -> Bool, file: StaticString = #filePath, line: UInt = #line) throws {
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if try condition() { return }
            usleep(10_000)
        }
        XCTFail("timed out", file: file, line: line)
    }

    // MARK: exec

    /// exec joins init's namespaces and cgroup, is confined as init is (runc's default spec: no
    /// new privileges, three capabilities), starts in the process's cwd, holds no descriptor of
    /// ours, and nothing in the container can reach minidock's own process while it joins.
    func testExecJoinsTheContainerConfinedAsInit() throws {
        try command(["sleep", "30"])
        XCTAssertEqual(try runtime(["run", "--detach", "--bundle", bundle.path, "target"]).status, 0)
        let result = try runtime(["exec", "--cwd", "/tmp", "target", "sh", "-c", """
            hostname; echo pid $$; pwd; grep -E '^(CapBnd|NoNewPrivs)' /proc/self/status; ls /proc/self/fd | tr '\\n' ' '; echo
            ls -l /proc/*/exe 2>/dev/null | grep -c minidock; exit 5
            """])
        XCTAssertEqual(result.status, 5, result.stderr)
        XCTAssertEqual(result.stdout.split(separator: "\n").map(String.init),
                       ["minidock", "pid 2", "/tmp", "CapBnd:\t0000000020000420", "NoNewPrivs:\t1", "0 1 2 3 ", "0"])
        let initPID = try XCTUnwrap(try state("target")["pid"] as? Int)
        let inCgroup = try String(contentsOfFile: "/sys/fs/cgroup/memory/minidock/target/cgroup.procs", encoding: .utf8)
        XCTAssertEqual(inCgroup.split(separator: "\n"), ["\(initPID)"], "the exec'd process and the intermediate are gone")

        let missing = try runtime(["exec", "target", "no-such-program"])
        XCTAssertEqual(missing.status, 127)
        XCTAssertTrue(missing.stderr.contains("executable file not found"), missing.stderr)
        let detached = try runtime(["exec", "--detach", "--pid-file", work.appendingPathComponent("exec.pid").path, "target", "sleep", "20"])
        XCTAssertEqual(detached.status, 0, detached.stderr)
        let pid = try XCTUnwrap(Int32(try String(contentsOfFile: work.appendingPathComponent("exec.pid").path, encoding: .utf8)))
        XCTAssertTrue(try String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8).hasPrefix("sleep"))
        XCTAssertEqual(try runtime(["pause", "target"]).status, 0)
        XCTAssertEqual(try runtime(["exec", "target", "true"]).stderr, "minidock-runc: cannot exec in a paused container\n")
        XCTAssertEqual(try runtime(["resume", "target"]).status, 0)
        XCTAssertEqual(try runtime(["delete", "--force", "target"]).status, 0)
        XCTAssertNotEqual(kill(pid, 0), 0, "delete --force ends every process of the container")
        XCTAssertEqual(try runtime(["exec", "target", "true"]).status, 1)
    }

    // MARK: found by attacking it

    /// Two containers may not share a cgroup: deleting (or failing to create) the second would
    /// kill the first.
    func testASecondContainerCannotTakeAnotherContainersCgroup() throws {
        try command(["sleep", "30"])
        XCTAssertEqual(try runtime(["run", "--detach", "--bundle", bundle.path, "first"]).status, 0)
        try configure { config in
            var linux = config["linux"] as! [String: Any]
            linux["cgroupsPath"] = "/minidock/first"
            config["linux"] = linux
        }
        let second = try runtime(["create", "--bundle", bundle.path, "second"])
        XCTAssertEqual(second.status, 1)
        XCTAssertTrue(second.stderr.contains("that cgroup exists already"), second.stderr)
        XCTAssertEqual(try status("first"), "running")
        XCTAssertEqual(try runtime(["delete", "--force", "first"]).status, 0)
    }

    /// A `create` killed while it reads config.json (a FIFO nobody writes) takes nothing: the
    /// ID stays free.
    func testACreateKilledBeforeItTookAnythingLeavesTheIDFree() throws {
        let fifoBundle = work.appendingPathComponent("fifo-bundle")
        try FileManager.default.createDirectory(at: fifoBundle, withIntermediateDirectories: true)
        XCTAssertEqual(mkfifo(fifoBundle.appendingPathComponent("config.json").path, 0o600), 0)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: runc)
        process.arguments = ["--root", stateRoot, "create", "--bundle", fifoBundle.path, "orphan"]
        try process.run()
        usleep(300_000)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        XCTAssertEqual(((try? FileManager.default.contentsOfDirectory(atPath: stateRoot)) ?? []).filter { !$0.hasPrefix(".") }, [])
        try command(["true"])
        XCTAssertEqual(try runtime(["run", "--bundle", bundle.path, "orphan"]).status, 0, "the ID is free")
    }

    /// What the process cannot take (a hard limit above the host's, a program that is not
    /// there) is `create`'s error, said in one line — not a container that stops in silence.
    func testLimitsAndMissingProgramsFailCreateNotStart() throws {
        try command(["/nonexistent"])
        let missing = try runtime(["create", "--bundle", bundle.path, "nothere"])
        XCTAssertEqual(missing.status, 127)
        XCTAssertTrue(missing.stderr.contains("\"/nonexistent\": no such file or directory"), missing.stderr)
        try command(["true"])
        try configure { config in
            var process = config["process"] as! [String: Any]
            process["rlimits"] = [["type": "RLIMIT_NOFILE", "hard": 99_999_999, "soft": 99_999_999]]
            config["process"] = process
        }
        let limit = try runtime(["create", "--bundle", bundle.path, "toohigh"])
        XCTAssertEqual(limit.status, 1)
        XCTAssertTrue(limit.stderr.contains("setrlimit RLIMIT_NOFILE"), limit.stderr)
        XCTAssertEqual(try runtime(["list", "-q"]).stdout, "")
    }

    /// A bind mount's target that the image made a FIFO is never opened for reading (that open
    /// would wait for ever): the file is bound over it, and the container runs.
    func testAFIFOPlantedAtABindTargetDoesNotHangCreate() throws {
        XCTAssertEqual(mkfifo(bundle.appendingPathComponent("rootfs/etc/planted").path, 0o644), 0)
        try command(["cat", "/etc/planted"])
        try configure { config in
            var mounts = config["mounts"] as! [[String: Any]]
            mounts.append(["destination": "/etc/planted", "type": "bind", "source": "/etc/hostname", "options": ["bind", "ro"]])
            config["mounts"] = mounts
        }
        let result = try runtime(["run", "--bundle", bundle.path, "fifo"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines),
                       try String(contentsOfFile: "/etc/hostname", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: stateRoot), [])
    }
}

