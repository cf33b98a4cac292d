import Foundation
@testable import Runtime
import SystemPackage
import XCTest

/// cgroup v2 logic against a temporary directory laid out as a v2 tree. This machine's
/// memory, cpu and pids controllers are on cgroup v1, so a real v2 cgroup with limits cannot
/// be made here: the fake stands in for the kernel by pre-creating the control files the
/// kernel would create, and the test reads back what minidock wrote into them.
final class CgroupV2Tests: XCTestCase {
    var root: URL!

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("fake-cgroup2-\(UUID().uuidString)")
        let container = root.appendingPathComponent("minidock/box")
        try FileManager.default.createDirectory(at: container, withIntermediateDirectories: true)
        try "cpuset cpu io memory pids".write(to: root.appendingPathComponent("cgroup.subtree_control"), atomically: true, encoding: .utf8)
        try "".write(to: root.appendingPathComponent("minidock/cgroup.subtree_control"), atomically: true, encoding: .utf8)
        for file in ["memory.max", "memory.swap.max", "memory.low", "cpu.max", "cpu.weight", "cpuset.cpus",
                     "cpuset.mems", "pids.max", "cgroup.procs", "cgroup.freeze", "cgroup.kill"] {
            try "".write(to: container.appendingPathComponent(file), atomically: true, encoding: .utf8)
        }
    }

    override func tearDown() {
        try? FileManager.default.removeItem(at: root)
    }

    func contents(_ path: String) -> String {
        (try? String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)) ?? "<missing>"
    }

    func testWritesV2FilesForDockerFlags() throws {
        let resources = try DockerResourceFlags(memory: "64m", memoryReservation: "32m", cpus: "0.5", cpuShares: "1024",
                                                cpusetCpus: "0", cpusetMems: "0", pidsLimit: "20")
            .resources(onlineCPUs: 2)
        let cgroup = try Cgroup.create(name: "box", resources: resources, mode: .unified, root: FilePath(root.path))
        XCTAssertEqual(cgroup.directories[""]?.string, root.path + "/minidock/box")
        XCTAssertEqual(contents("minidock/box/memory.max"), "67108864")
        XCTAssertEqual(contents("minidock/box/memory.swap.max"), "67108864", "swap alone: (2 × 64m) − 64m")
        XCTAssertEqual(contents("minidock/box/memory.low"), "33554432")
        XCTAssertEqual(contents("minidock/box/cpu.max"), "50000 100000")
        XCTAssertEqual(contents("minidock/box/cpu.weight"), "39", "1024 shares, converted as runc does")
        XCTAssertEqual(contents("minidock/box/cpuset.cpus"), "0")
        XCTAssertEqual(contents("minidock/box/pids.max"), "20")
        // Every controller the root offers, not only those the limits need (as Docker does).
        XCTAssertEqual(contents("minidock/cgroup.subtree_control"), "+cpuset +cpu +io +memory +pids")
        // The host's root is read, never written.
        XCTAssertEqual(contents("cgroup.subtree_control"), "cpuset cpu io memory pids")

        try cgroup.add(4242)
        XCTAssertEqual(contents("minidock/box/cgroup.procs"), "4242")
    }

    func testUnlimitedSwapAndNoQuota() throws {
        let resources = Spec.Resources(memory: .init(limit: 1 << 30, swap: -1), cpu: .init(shares: 2))
        _ = try Cgroup.create(name: "box", resources: resources, mode: .unified, root: FilePath(root.path))
        XCTAssertEqual(contents("minidock/box/memory.swap.max"), "max")
        XCTAssertEqual(contents("minidock/box/cpu.weight"), "1")
        XCTAssertEqual(contents("minidock/box/cpu.max"), "", "no quota asked, none written")
    }

    func testAControllerTheRootLacksIsAClearError() throws {
        try "cpu".write(to: root.appendingPathComponent("cgroup.subtree_control"), atomically: true, encoding: .utf8)
        let resources = Spec.Resources(pids: .init(limit: 10))
        XCTAssertThrowsError(try Cgroup.create(name: "box", resources: resources, mode: .unified, root: FilePath(root.path))) { error in
            XCTAssertEqual("\(error)", "cgroup controller \"pids\" is not enabled in \"\(root.path)/cgroup.subtree_control\"")
        }
    }

    func testStatisticsAndFreeze() throws {
        let cgroup = try Cgroup.create(name: "box", resources: nil, mode: .unified, root: FilePath(root.path))
        let box = root.appendingPathComponent("minidock/box")
        try "1048576\n".write(to: box.appendingPathComponent("memory.current"), atomically: true, encoding: .utf8)
        try "67108864\n".write(to: box.appendingPathComponent("memory.max"), atomically: true, encoding: .utf8)
        try "low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n".write(to: box.appendingPathComponent("memory.events"), atomically: true, encoding: .utf8)
        try "usage_usec 2500\nuser_usec 2000\n".write(to: box.appendingPathComponent("cpu.stat"), atomically: true, encoding: .utf8)
        try "4\n".write(to: box.appendingPathComponent("pids.current"), atomically: true, encoding: .utf8)
        try "cpuset cpu io memory pids\n".write(to: box.appendingPathComponent("cgroup.controllers"), atomically: true, encoding: .utf8)
        try "max 7\n".write(to: box.appendingPathComponent("pids.events"), atomically: true, encoding: .utf8)
        XCTAssertEqual(try cgroup.statistics(), CgroupStatistics(memoryUsage: 1_048_576, memoryLimit: 67_108_864,
                                                                 cpuUsageNanoseconds: 2_500_000, pidsCurrent: 4,
                                                                 oomKills: 1, forksRefused: 7))
        try "populated 1\nfrozen 1\n".write(to: box.appendingPathComponent("cgroup.events"), atomically: true, encoding: .utf8)
        try cgroup.freeze()
        XCTAssertEqual(contents("minidock/box/cgroup.freeze"), "1")
    }

    /// A cgroup without the memory and pids controllers (a host that offers only cpu) has no
    /// memory.* or pids.* files: its statistics are zeros, not an ENOENT (the real-kernel bug
    /// seen on a pure v2 host when only --cpus was given).
    func testStatisticsReadOnlyTheControllersTheCgroupHas() throws {
        try "cpu".write(to: root.appendingPathComponent("cgroup.subtree_control"), atomically: true, encoding: .utf8)
        let cgroup = try Cgroup.create(name: "box", resources: nil, mode: .unified, root: FilePath(root.path))
        XCTAssertEqual(contents("minidock/cgroup.subtree_control"), "+cpu")
        let box = root.appendingPathComponent("minidock/box")
        for file in ["memory.max", "pids.max"] { try FileManager.default.removeItem(at: box.appendingPathComponent(file)) }
        try "cpu\n".write(to: box.appendingPathComponent("cgroup.controllers"), atomically: true, encoding: .utf8)
        try "usage_usec 7\n".write(to: box.appendingPathComponent("cpu.stat"), atomically: true, encoding: .utf8)
        XCTAssertEqual(try cgroup.statistics(), CgroupStatistics(memoryUsage: 0, memoryLimit: nil, cpuUsageNanoseconds: 7000,
                                                                 pidsCurrent: 0, oomKills: 0))
    }

    func testSharesToWeight() {
        XCTAssertEqual(CgroupV2.weight(fromShares: 2), 1)
        XCTAssertEqual(CgroupV2.weight(fromShares: 262_144), 10000)
    }

    /// A write the kernel refuses names the value; here the control file is a directory, so
    /// open fails (EISDIR) as a refused write would, and the cgroup is removed again.
    func testARefusedValueIsNamedAndLeavesNothing() throws {
        let file = root.appendingPathComponent("minidock/box/cpuset.cpus")
        try FileManager.default.removeItem(at: file)
        try FileManager.default.createDirectory(at: file, withIntermediateDirectories: false)
        let resources = Spec.Resources(cpu: .init(cpus: "0"))
        XCTAssertThrowsError(try Cgroup.create(name: "box", resources: resources, mode: .unified, root: FilePath(root.path),
                                               naming: { $0 == .cpus ? "--cpuset-cpus \"0\"" : nil })) { error in
            XCTAssertEqual("\(error)", #"--cpuset-cpus "0": the kernel refused it: cpuset.cpus: EISDIR"#)
        }
        XCTAssertThrowsError(try Cgroup.create(name: "box", resources: resources, mode: .unified, root: FilePath(root.path))) { error in
            XCTAssertEqual("\(error)", #"linux.resources.cpu.cpus "0": the kernel refused it: cpuset.cpus: EISDIR"#)
        }
    }

    /// A spec's values are anyone's: shares below runc's range, a swap far below the limit,
    /// are clamped or passed on for the kernel to judge — never an arithmetic trap.
    func testValuesOutOfRangeDoNotTrap() {
        XCTAssertEqual(CgroupV2.weight(fromShares: 1), 1)
        XCTAssertEqual(CgroupV2.weight(fromShares: .max), 10000)
        let writes = CgroupV2.limitWrites(Spec.Resources(memory: .init(limit: .max, swap: .min)))
        XCTAssertEqual(writes.first { $0.0 == "memory.swap.max" }?.1, "\(Int64.min)")
    }
}
