import Foundation
import XCTest

/// Lesson03: UTS, PID, IPC and mount namespaces, with /proc, /dev and /sys as a container has them.
final class Lesson03Tests: LessonTestCase {
    func testOwnHostnameLeavesTheHostsAlone() throws {
        let before = ProcessInfo.processInfo.hostName
        let result = try inRootfs("Lesson03", ["--hostname", "box-under-test"], ["hostname"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout, "box-under-test\n")
        var buffer = [CChar](repeating: 0, count: 256)
        gethostname(&buffer, 255)
        XCTAssertEqual(String(cString: buffer), before)
    }

    func testCommandIsPIDOneAndSeesNoHostProcess() throws {
        let result = try inRootfs("Lesson03", [], ["ps"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let rows = result.stdout.split(separator: "\n").dropFirst().map { $0.split(separator: " ") }
        XCTAssertEqual(rows.count, 1, "only the command itself: \(result.stdout)")
        XCTAssertEqual(rows.first?.first, "1")
        XCTAssertEqual(rows.first?.last, "ps")
    }

    func testProcIsTheNewPIDNamespaces() throws {
        let result = try inRootfs("Lesson03", [], ["sh", "-c", "readlink /proc/self; ls /proc; true"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        // `readlink` is PID 2 (a child of sh, PID 1); then `ls`, PID 3, lists only 1 and itself.
        XCTAssertEqual(lines.first, "2")
        XCTAssertEqual(Set(lines.dropFirst().filter { Int($0) != nil }), ["1", "3"])
    }

    func testNamespacesDifferFromTheHosts() throws {
        let types = ["uts", "ipc", "mnt", "pid"]
        let result = try inRootfs("Lesson03", [], ["sh", "-c", "for t in \(types.joined(separator: " ")); do readlink /proc/$$/ns/$t; done"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let inside = result.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(inside.count, types.count)
        for (type, identity) in zip(types, inside) {
            XCTAssertTrue(identity.hasPrefix("\(type):["), identity)
            XCTAssertNotEqual(identity, try hostNamespace(type), "\(type) namespace is the host's")
        }
        // The network namespace was not asked for (Lesson06 does that): it is still the host's.
        let net = try inRootfs("Lesson03", [], ["readlink", "/proc/self/ns/net"])
        XCTAssertEqual(net.stdout, try hostNamespace("net") + "\n")
    }

    func testMinimalDev() throws {
        let listing = try inRootfs("Lesson03", [], ["ls", "/dev"])
        XCTAssertEqual(Set(listing.stdout.split(separator: "\n").map(String.init)),
                       ["null", "zero", "full", "random", "urandom", "tty", "pts", "shm", "mqueue",
                        "ptmx", "fd", "stdin", "stdout", "stderr", "core"])

        let devices = try inRootfs("Lesson03", [], ["stat", "-c", "%n %F %t:%T %a",
                                                     "/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom", "/dev/tty"])
        XCTAssertEqual(devices.stdout, """
            /dev/null character special file 1:3 666
            /dev/zero character special file 1:5 666
            /dev/full character special file 1:7 666
            /dev/random character special file 1:8 666
            /dev/urandom character special file 1:9 666
            /dev/tty character special file 5:0 666

            """)

        // The nodes work: zeros come out of /dev/zero, /dev/full refuses writes.
        let zeros = try inRootfs("Lesson03", [], ["sh", "-c", "head -c 4 /dev/zero | od -An -tx1"])
        XCTAssertEqual(zeros.stdout.trimmingCharacters(in: .whitespacesAndNewlines), "00 00 00 00")
        XCTAssertNotEqual(try inRootfs("Lesson03", [], ["sh", "-c", "echo x > /dev/full"]).status, 0)
    }

    func testMountsInside() throws {
        let result = try inRootfs("Lesson03", [], ["cat", "/proc/mounts"])
        let mounts = result.stdout.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        func mount(at path: String) -> [String]? { mounts.first { $0.count > 3 && $0[1] == path } }
        XCTAssertEqual(mount(at: "/proc")?[2], "proc")
        XCTAssertEqual(mount(at: "/dev")?[2], "tmpfs")
        XCTAssertEqual(mount(at: "/dev/pts")?[2], "devpts")
        XCTAssertTrue(mount(at: "/dev/pts")?[3].contains("ptmxmode=666") ?? false)
        XCTAssertEqual(mount(at: "/dev/shm")?[2], "tmpfs")
        XCTAssertEqual(mount(at: "/sys")?[2], "sysfs")
        XCTAssertTrue(mount(at: "/sys")?[3].hasPrefix("ro,") ?? false, "sysfs must be read-only")
        // Only the container's own mounts: no host path appears.
        XCTAssertFalse(result.stdout.contains(sandbox.directory.path))

        let write = try inRootfs("Lesson03", [], ["touch", "/sys/kernel/should-fail"])
        XCTAssertNotEqual(write.status, 0)
        XCTAssertTrue(write.stderr.contains("Read-only file system"), write.stderr)
    }

    func testReadOnlyRoot() throws {
        let result = try inRootfs("Lesson03", ["--read-only"], ["sh", "-c", "touch /written; echo x > /tmp/x"])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("Read-only file system"), result.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: sandbox.rootfs.appendingPathComponent("written").path))
    }

    func testIPCIsolated() throws {
        // A System V shared memory segment the host has is not visible inside.
        let key = key_t(0x4d44_0000 | Int32.random(in: 0..<0xffff))
        let segment = shmget(key, 4096, IPC_CREAT | IPC_EXCL | 0o600)
        XCTAssertGreaterThanOrEqual(segment, 0, "shmget on the host")
        defer { shmctl(segment, IPC_RMID, nil) }
        func keys(_ table: String) -> [String] {
            table.split(separator: "\n").dropFirst().compactMap { $0.split(separator: " ").first.map(String.init) }
        }
        XCTAssertTrue(keys(try String(contentsOfFile: "/proc/sysvipc/shm", encoding: .utf8)).contains("\(key)"),
                      "the host lists its segment")

        let inside = try inRootfs("Lesson03", [], ["cat", "/proc/sysvipc/shm"])
        XCTAssertEqual(inside.status, 0, inside.stderr)
        XCTAssertEqual(keys(inside.stdout), [], "no segment inside: \(inside.stdout)")
    }

    func testTraceShowsTheChildAsPIDOne() throws {
        let result = try inRootfs("Lesson03", [], ["true"], quiet: false)
        XCTAssertEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("clone(CLONE_NEWNS|CLONE_NEWUTS|CLONE_NEWIPC|CLONE_NEWPID|SIGCHLD) = "))
        XCTAssertTrue(result.stderr.contains("trace[1] sethostname(\"lesson03\", 8) = 0"))
        // The mount point is resolved inside the rootfs, then mounted on through its descriptor.
        let lines = result.stderr.split(separator: "\n").map(String.init)
        guard let open = lines.firstIndex(where: { $0.hasPrefix("trace[1] openat2(") && $0.contains("<\(sandbox.rootfs.path)>, \"proc\", O_PATH|O_DIRECTORY, RESOLVE_IN_ROOT") }),
              let fd = lines[open].split(separator: " ").last else { return XCTFail(result.stderr) }
        XCTAssertEqual(lines[open + 1], "trace[1] mount(\"proc\", \"/proc/self/fd/\(fd)\", \"proc\", MS_NOSUID|MS_NODEV|MS_NOEXEC, NULL) = 0")
    }

    /// An image whose /dev, /proc or /sys is a symlink out (absolute, or `../..` far enough to
    /// reach the host's root) gets nothing mounted or made on the host: every mount target and
    /// device node is resolved inside the rootfs, where the link's target is made (issue 7,
    /// item 1). The container still works. Through openat2 and through the walk.
    func testSymlinkedMountPointsStayInsideTheRootfs() throws {
        let host = sandbox.directory.appendingPathComponent("host-dir").path
        try FileManager.default.createDirectory(atPath: host, withIntermediateDirectories: true)
        let up = String(repeating: "../", count: sandbox.rootfs.pathComponents.count) + host.dropFirst()
        for (resolver, environment) in [("openat2", [String: String]()), ("walk", ["MINIDOCK_NO_OPENAT2": "1"])] {
            for (name, link) in [("dev", host), ("dev", up), ("sys", host), ("proc", up)] {
                let path = sandbox.rootfs.appendingPathComponent(name).path
                try FileManager.default.moveItem(atPath: path, toPath: path + ".saved")
                try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: link)
                defer {
                    try? FileManager.default.removeItem(atPath: path)
                    try? FileManager.default.moveItem(atPath: path + ".saved", toPath: path)
                }
                let result = try Command.run(Command.binary("Lesson03"), ["--quiet", "--rootfs", sandbox.rootfs.path, "--",
                                                                          "sh", "-c", "test -c /dev/null && test -r /proc/self/stat"],
                                             environment: environment)
                XCTAssertEqual(result.status, 0, "\(resolver) \(name) -> \(link): \(result.stderr)")
                XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: host), [], "\(resolver) \(name) -> \(link)")
                XCTAssertEqual(sandbox.leakedMounts(), [], "\(resolver) \(name) -> \(link)")
            }
        }
    }

    func testBadInput() throws {
        assertOneLineError(try inRootfs("Lesson03", [], ["no-such-command"]), status: 127,
                           containing: "executable file not found")
        assertOneLineError(try inRootfs("Lesson03", [], ["/etc/passwd"]), status: 126, containing: "EACCES")
        assertOneLineError(try lesson("Lesson03", ["--rootfs", "relative/nowhere", "--", "true"]), status: 125,
                           containing: "no such directory")
        assertOneLineError(try inRootfs("Lesson03", ["--hostname"], []), status: 125, containing: "hostname")
    }

    func testSetupFailureInTheChildIs125AndLeavesNothing() throws {
        // A hostname longer than the kernel's 64 bytes: sethostname fails inside the child,
        // after the mounts were made. The error comes back over the socket as one line.
        let result = try inRootfs("Lesson03", ["--hostname", String(repeating: "h", count: 100)], ["true"])
        assertOneLineError(result, status: 125, containing: "sethostname")
        XCTAssertTrue(result.stderr.contains("EINVAL"), result.stderr)
    }
}

extension Lesson03Tests {
    /// A lesson killed with SIGKILL cannot clean up; the kernel still ends its container
    /// (PR_SET_PDEATHSIG) at once, so nothing of it keeps running.
    func testContainerDiesWithAKilledLesson() throws {
        let marker = sandbox.directory.path
        var containerPID: Int32 = 0
        let result = try lesson("Lesson03", ["--rootfs", sandbox.rootfs.path, "--", "sh", "-c", "sleep 30; : \(marker)"]) { process in
            let lessonPID = process.processIdentifier
            try Command.waitFor("the container") {
                let children = (try? String(contentsOfFile: "/proc/\(lessonPID)/task/\(lessonPID)/children", encoding: .utf8)) ?? ""
                guard let pid = Int32(children.split(separator: " ").first ?? "") else { return false }
                let cmdline = (try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8)) ?? ""
                containerPID = pid
                // Past exec: the container's own command line, not the lesson's copied argv.
                return cmdline.hasPrefix("sh") && cmdline.contains(marker)
            }
            kill(lessonPID, SIGKILL)
            // Checked now, while the container's sleep would still have half a minute to go.
            try Command.waitFor("the container to die with the lesson", timeout: 5) {
                let cmdline = (try? String(contentsOfFile: "/proc/\(containerPID)/cmdline", encoding: .utf8)) ?? ""
                return !cmdline.contains(marker)
            }
        }
        XCTAssertEqual(result.status, 137)
    }
}

/// Hardening: signals and pipes (issue 7).
extension Lesson03Tests {
    /// A container whose PID 1 traps nothing cannot be stopped by a signal from outside its
    /// PID namespace: the kernel drops any signal init has no handler for (SIGKILL aside).
    /// So the first SIGTERM, forwarded, changes nothing; the second is sent as SIGKILL.
    func testASecondSIGTERMKillsAContainerThatIgnoresTheFirst() throws {
        let marker = sandbox.directory.path
        let result = try lesson("Lesson03", ["--rootfs", sandbox.rootfs.path, "--", "sh", "-c", "while :; do :; done # \(marker)"]) { lesson in
            let lessonPID = lesson.processIdentifier
            let container = try self.waitForContainer(of: lessonPID, marker: marker)
            try self.send(SIGTERM, to: lessonPID)
            XCTAssertEqual(kill(container, 0), 0, "PID 1 ignores a SIGTERM it has no handler for")
            try self.send(SIGTERM, to: lessonPID)
        }
        XCTAssertEqual(result.status, 137, "ended by SIGKILL, as docker stop does after its timeout: \(result.stderr)")
        // (the sandbox's teardown checks that no process or mount of the container is left)
    }

    /// `Lesson03 -- … | head -1` with the lesson's own output in the same closed pipe: the
    /// lesson outlives its EPIPEs, and the command inside dies of SIGPIPE as anywhere else.
    func testAClosedPipeEndsTheCommandNotTheLesson() throws {
        let result = try lesson("Lesson03", ["--rootfs", sandbox.rootfs.path, "--",
                                             "sh", "-c", "(yes hello; echo $? > /yes-status) | head -1"],
                                quiet: false, closedPipe: true)
        XCTAssertEqual(result.status, 128 + 13)
        let status = try String(contentsOf: sandbox.rootfs.appendingPathComponent("yes-status"), encoding: .utf8)
        XCTAssertEqual(status, "141\n", "yes, not PID 1, gets SIGPIPE's default")
    }

    /// An empty --rootfs would mean the current directory: /proc, /dev and /sys made there.
    func testAnEmptyRootfsIsRefused() throws {
        let directory = sandbox.directory.appendingPathComponent("cwd")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try "not a rootfs".write(to: directory.appendingPathComponent("file"), atomically: true, encoding: .utf8)
        let result = try lesson("Lesson03", ["--rootfs", "", "--", "true"], in: directory)
        assertOneLineError(result, status: 125, containing: "--rootfs \"\": an empty path")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path), ["file"])
    }
}
