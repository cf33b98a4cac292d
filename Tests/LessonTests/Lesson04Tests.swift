import Foundation
import XCTest

/// Lesson04 on this machine's real cgroups. Its memory, cpu and pids controllers are cgroup v1
/// (the host is hybrid), so these tests check v1 files; the v2 file logic is tested against a
/// directory laid out as a v2 tree in RuntimeTests/CgroupV2Tests, because no v2 controller
/// for memory, cpu or pids can be had here.
final class Lesson04Tests: LessonTestCase {
    let controllers = ["memory", "cpu", "cpuacct", "cpuset", "pids", "freezer"]

    /// The lesson's cgroup in `controller`: `minidock/lesson04-PID-STARTTIME`. Found by its PID
    /// (the start time is the kernel's to know); a name not made yet is given without it.
    func cgroupDirectory(_ controller: String, lessonPID: Int32) -> String {
        let parent = "/sys/fs/cgroup/\(controller)/minidock"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: parent)) ?? []
        let name = names.first { $0 == "lesson04-\(lessonPID)" || $0.hasPrefix("lesson04-\(lessonPID)-") } ?? "lesson04-\(lessonPID)-"
        return parent + "/" + name
    }

    /// The lesson's cgroup.procs in `controller`, looked up afresh (the cgroup may not exist yet).
    func processes(_ controller: String, lessonPID: Int32) -> String {
        read(cgroupDirectory(controller, lessonPID: lessonPID) + "/cgroup.procs")
    }

    func read(_ path: String) -> String {
        ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func assertCgroupGone(_ lessonPID: Int32, file: StaticString = #filePath, line: UInt = #line) {
        for controller in controllers {
            XCTAssertFalse(FileManager.default.fileExists(atPath: cgroupDirectory(controller, lessonPID: lessonPID)),
                           "cgroup left in \(controller)", file: file, line: line)
        }
    }

    override func setUpWithError() throws {
        try super.setUpWithError()
        try XCTSkipUnless(FileManager.default.fileExists(atPath: "/sys/fs/cgroup/memory/cgroup.procs"),
                          "these tests read cgroup v1 files; this host has no v1 memory hierarchy")
    }

    /// The limits are in the kernel's files while the container runs, its process is in
    /// the cgroup, and everything is gone when it ends.
    func testLimitFilesHoldTheValuesWhileRunning() throws {
        var seen: [String: String] = [:]
        var childCgroups = ""
        let result = try inRootfsWithCallback(["--memory", "64m", "--cpus", "0.5", "--pids", "20", "--cpu-shares", "512",
                                                "--memory-reservation", "32m"],
                                               // PID 1 ignores SIGTERM unless it has a handler: this one has.
                                               ["sh", "-c", "trap 'exit 3' TERM; while true; do sleep 0.2; done"]) { lesson in
            try Command.waitFor("the container in its cgroup") { !self.processes("memory", lessonPID: lesson.processIdentifier).isEmpty }
            let pid = self.processes("memory", lessonPID: lesson.processIdentifier).split(separator: "\n").first.map(String.init) ?? ""
            childCgroups = self.read("/proc/\(pid)/cgroup")
            try self.waitUntil(Int32(pid) ?? 0, handles: SIGTERM)
            for (controller, file) in [("memory", "memory.limit_in_bytes"), ("memory", "memory.memsw.limit_in_bytes"),
                                       ("memory", "memory.soft_limit_in_bytes"), ("cpu", "cpu.cfs_quota_us"),
                                       ("cpu", "cpu.cfs_period_us"), ("cpu", "cpu.shares"), ("pids", "pids.max")] {
                seen[file] = self.read(self.cgroupDirectory(controller, lessonPID: lesson.processIdentifier) + "/" + file)
            }
            kill(lesson.processIdentifier, SIGTERM)
        }
        XCTAssertEqual(result.status, 3, "the forwarded SIGTERM reached the container's trap: \(result.stderr)")
        XCTAssertEqual(seen["memory.limit_in_bytes"], "\(64 << 20)")
        XCTAssertEqual(seen["memory.memsw.limit_in_bytes"], "\(128 << 20)", "Docker's default: swap as large as memory")
        XCTAssertEqual(seen["memory.soft_limit_in_bytes"], "\(32 << 20)")
        XCTAssertEqual(seen["cpu.cfs_quota_us"], "50000")
        XCTAssertEqual(seen["cpu.cfs_period_us"], "100000")
        XCTAssertEqual(seen["cpu.shares"], "512")
        XCTAssertEqual(seen["pids.max"], "20")
        for controller in ["memory", "pids", "cpu"] {
            XCTAssertTrue(childCgroups.contains(":\(controller):/minidock/lesson04-\(result.pid)-"), childCgroups)
        }
        assertCgroupGone(result.pid)
    }

    func testMemoryLimitOOMKillsAndSaysSo() throws {
        let result = try lesson("Lesson04", ["--rootfs", sandbox.rootfs.path, "--demo", "oom"])
        XCTAssertEqual(result.status, 137, result.stderr)
        XCTAssertTrue(result.stderr.contains("OOMKilled: true (oom_kill 1)"), result.stderr)
        assertCgroupGone(result.pid)
    }

    func testWithoutLimitNoOOMKill() throws {
        let result = try inRootfs("Lesson04", ["--memory", "256m"], ["dd", "if=/dev/zero", "of=/dev/null", "bs=32M", "count=1"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stderr.contains("OOMKilled: false"), result.stderr)
    }

    func testForkBombStoppedByPidsLimit() throws {
        let result = try lesson("Lesson04", ["--rootfs", sandbox.rootfs.path, "--demo", "fork-bomb"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stderr.contains("can't fork"), result.stderr)
        let refused = result.stderrLines.first { $0.contains("forks refused by the pids limit:") }
            .flatMap { Int($0.split(separator: " ").last ?? "") } ?? 0
        XCTAssertGreaterThan(refused, 0, result.stderr)
        assertCgroupGone(result.pid)
    }

    func testPidsLimitCountsEveryProcess() throws {
        // sh is one process; with a limit of 3 it can have two children at most.
        let result = try inRootfs("Lesson04", ["--pids", "3"], ["sh", "-c", "sleep 1 & sleep 1 & sleep 1 & wait"])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("can't fork"), result.stderr)
        XCTAssertTrue(result.stderr.contains("forks refused by the pids limit: 1"), result.stderr)
    }

    func testBadValuesAreRefusedBeforeAnythingExists() throws {
        assertOneLineError(try inRootfs("Lesson04", ["--memory", "12zz"], ["true"]), status: 125,
                           containing: "invalid argument \"12zz\" for \"--memory\": invalid size: '12zz'")
        assertOneLineError(try inRootfs("Lesson04", ["--memory", "1k"], ["true"]), status: 125,
                           containing: "minimum memory limit allowed is 6MB")
        assertOneLineError(try inRootfs("Lesson04", ["--cpus", "64"], ["true"]), status: 125, containing: "--cpus")
        assertOneLineError(try inRootfs("Lesson04", ["--pids", "many"], ["true"]), status: 125, containing: "--pids-limit")
    }

    /// A value only the kernel can judge: CPU 63 does not exist here. The write of
    /// cpuset.cpus fails, and the cgroup directories made before it are removed.
    func testAValueTheKernelRefusesLeavesNoCgroup() throws {
        let result = try inRootfs("Lesson04", ["--cpuset-cpus", "63"], ["true"])
        // The error says which of the user's values it was, not only the file and errno.
        assertOneLineError(result, status: 125, containing: "--cpuset-cpus \"63\": the kernel refused it: cpuset.cpus: E")
        assertCgroupGone(result.pid)
    }

    func inRootfsWithCallback(_ flags: [String], _ command: [String],
                              onStart: @escaping (Process) throws -> Void) throws -> CommandResult {
        try lesson("Lesson04", ["--rootfs", sandbox.rootfs.path] + flags + ["--"] + command, onStart: onStart)
    }
}

extension Lesson04Tests {
    /// SIGKILL leaves the lesson no chance to remove its cgroup; its container dies with it,
    /// and the next run of the lesson removes the abandoned cgroup.
    func testTheNextRunRemovesWhatAKilledRunLeft() throws {
        var killedPID: Int32 = 0
        let killed = try inRootfsWithCallback(["--pids", "10"], ["sleep", "30"]) { lesson in
            killedPID = lesson.processIdentifier
            try Command.waitFor("the container in its cgroup") { !self.processes("pids", lessonPID: killedPID).isEmpty }
            kill(killedPID, SIGKILL)
            try Command.waitFor("the container to die with the lesson") { self.processes("pids", lessonPID: killedPID).isEmpty }
        }
        XCTAssertEqual(killed.status, 137)
        XCTAssertTrue(FileManager.default.fileExists(atPath: cgroupDirectory("pids", lessonPID: killedPID)), "left behind")

        let next = try inRootfs("Lesson04", [], ["true"], quiet: false)
        XCTAssertEqual(next.status, 0, next.stderr)
        XCTAssertTrue(next.stderr.contains("left by a lesson04 that was killed"), next.stderr)
        assertCgroupGone(killedPID)
        assertCgroupGone(next.pid)
    }
}

/// Hardening: pipes, signals and values at the edges (issue 7).
extension Lesson04Tests {
    /// `Lesson04 … 2>&1 | head -1`: the reader is gone. The lesson's own writes (the trace) fail
    /// with EPIPE instead of killing it, so it still removes its cgroup; the command inside
    /// got SIGPIPE's default back (an ignored signal would survive its execve), so `yes | …`
    /// in it ends by SIGPIPE, and the lesson exits with the command's status.
    func testAClosedPipeStillEndsInCleanup() throws {
        let result = try lesson("Lesson04", ["--rootfs", sandbox.rootfs.path, "--pids", "20", "--",
                                             "sh", "-c", "grep ^SigIgn /proc/self/status > /sigign; (yes; echo $? > /yes-status) | head -1"],
                                quiet: false, closedPipe: true)
        XCTAssertEqual(result.status, 128 + 13, "head in the container died of SIGPIPE, the lesson did not")
        let sigign = read(sandbox.rootfs.appendingPathComponent("sigign").path)
        XCTAssertTrue(sigign.hasPrefix("SigIgn:"), "the container ran: \(sigign)")
        XCTAssertFalse(mask(String(sigign.dropFirst("SigIgn:".count)), has: SIGPIPE), "SIGPIPE ignored inside: \(sigign)")
        XCTAssertEqual(read(sandbox.rootfs.appendingPathComponent("yes-status").path), "141", "yes ended by SIGPIPE")
        assertCgroupGone(result.pid)
    }

    /// Ctrl-C twice: PID 1 without a handler ignores the first SIGINT; the second is SIGKILL.
    func testASecondCtrlCKillsTheContainerAndRemovesTheCgroup() throws {
        let marker = sandbox.directory.path
        let result = try inRootfsWithCallback(["--pids", "20"], ["sh", "-c", "while :; do sleep 0.1; done # \(marker)"]) { lesson in
            let lessonPID = lesson.processIdentifier
            let container = try self.waitForContainer(of: lessonPID, marker: marker)
            try self.send(SIGINT, to: lessonPID)
            XCTAssertEqual(kill(container, 0), 0, "the first SIGINT is forwarded, and PID 1 ignores it")
            try self.send(SIGINT, to: lessonPID)
        }
        XCTAssertEqual(result.status, 137, result.stderr)
        assertCgroupGone(result.pid)
    }

    /// `--memory-swap -1`, as --help documents it, is a value, not an unknown flag `-1`.
    func testNegativeValuesParse() throws {
        let result = try inRootfs("Lesson04", ["--memory", "64m", "--memory-swap", "-1"], ["true"])
        XCTAssertEqual(result.status, 0, result.stderr)
        assertOneLineError(try inRootfs("Lesson04", ["--memory", "64m", "--memory-swap", "-2"], ["true"]), status: 125,
                           containing: "invalid argument \"-2\" for \"--memory-swap\"")
        assertOneLineError(try inRootfs("Lesson04", ["--cpus", "-1"], ["true"]), status: 125,
                           containing: "invalid argument \"-1\" for \"--cpus\"")
    }

    /// 8000p fits in 64 bits, twice that (Docker's default memory+swap) does not: a clear
    /// error, not a crash (it was SIGILL, exit 132), and nothing made.
    func testOverflowingValuesAreOneLineErrors() throws {
        let result = try inRootfs("Lesson04", ["--memory", "8000p"], ["true"])
        assertOneLineError(result, status: 125, containing: "invalid argument \"8000p\" for \"--memory\": too large")
        assertCgroupGone(result.pid)
        assertOneLineError(try inRootfs("Lesson04", ["--pids", "99999999999999999999"], ["true"]), status: 125,
                           containing: "--pids-limit")
    }

    /// A cgroup whose name has a live PID but another start time belongs to a process that is
    /// gone (its PID was given to someone else): the next run removes it all the same.
    func testACgroupOfARecycledPIDIsRemoved() throws {
        let name = "lesson04-\(getpid())-1"  // we are alive, but did not start at tick 1
        let directory = "/sys/fs/cgroup/pids/minidock/" + name
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let result = try inRootfs("Lesson04", [], ["true"], quiet: false)
        XCTAssertEqual(result.status, 0, result.stderr)
        let removed = !FileManager.default.fileExists(atPath: directory)
        if !removed { rmdir(directory) }
        XCTAssertTrue(removed, "left: \(directory)")
    }
}
