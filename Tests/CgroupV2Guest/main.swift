// The Runtime's cgroup code against a real cgroup v2 kernel, run inside the qemu guest that
// `make test-v2` boots (scripts/cgroup-v2-vm). This machine's controllers are on cgroup v1, so
// these checks cannot run on it; the fake-tree unit tests (Tests/RuntimeTests/CgroupV2Tests)
// keep the logic fast to test, and this program shows the kernel agrees.
//
// Each check prints `ok - NAME` or `not ok - NAME: WHY` (TAP's words); after each, no cgroup of
// minidock's may be left. The guest's script counts the lines.

#if canImport(Glibc)
import Glibc
#endif
import Runtime
import SystemPackage

struct Failure: Error, CustomStringConvertible {
    let description: String
}

func expect(_ condition: Bool, _ what: @autoclosure () -> String) throws {
    if !condition { throw Failure(description: what()) }
}

func read(_ path: String) throws -> String {
    var text = try FileContents.readString(FilePath(path))
    while text.hasSuffix("\n") { text.removeLast() }
    return text
}

/// `key value` from a flat-keyed file (cpu.stat, cgroup.events).
func value(_ path: String, _ key: String) throws -> UInt64 {
    for line in try read(path).split(separator: "\n") {
        let fields = line.split(separator: " ")
        if fields.count == 2, fields[0] == key { return UInt64(fields[1]) ?? 0 }
    }
    throw Failure(description: "\(path) has no \(key)")
}

let cgroupRoot = "/sys/fs/cgroup"

func check(_ name: String, root: String = cgroupRoot, _ body: () throws -> Void) {
    var outcome: String?
    do { try body() } catch { outcome = "\(error)" }
    if outcome == nil, access("\(root)/minidock", F_OK) == 0 {
        outcome = "\(root)/minidock was left behind"
    }
    print(outcome.map { "not ok - \(name): \($0)" } ?? "ok - \(name)")
}

/// A command in the cgroup, from its first instruction (added between clone and exec).
func run(_ command: String, in cgroup: Cgroup) throws -> ChildProcess {
    let process = Spec.Process(args: ["/bin/sh", "-c", command], env: ["PATH=/bin:/usr/bin"])
    return try ChildProcess.start(process, inParent: { try cgroup.add($0) })
}

func resources(_ flags: DockerResourceFlags) throws -> Spec.Resources? {
    try flags.resources(onlineCPUs: HostInfo.onlineCPUs())
}

let name = "v2-check-\(getpid())"

check("limits are written to the v2 files, every controller enabled") {
    let cgroup = try Cgroup.create(name: name, resources: try resources(.init(memory: "64m", cpus: "0.5", pidsLimit: "20")))
    defer { try? cgroup.remove() }
    let directory = "\(cgroupRoot)/minidock/\(name)"
    try expect(try read("\(directory)/memory.max") == "67108864", "memory.max")
    try expect(try read("\(directory)/memory.swap.max") == "67108864", "memory.swap.max")
    let quota = try read("\(directory)/cpu.max")
    try expect(quota == "50000 100000", "cpu.max: \(quota)")
    try expect(try read("\(directory)/pids.max") == "20", "pids.max")
    let controllers = Set(try read("\(directory)/cgroup.controllers").split(separator: " ").map(String.init))
    try expect(controllers.isSuperset(of: ["cpu", "memory", "pids", "cpuset"]), "controllers: \(controllers)")
}

check("statistics with only a CPU limit (no ENOENT for pids.current)") {
    let cgroup = try Cgroup.create(name: name, resources: try resources(.init(cpus: "1")))
    defer { try? cgroup.remove() }
    let child = try run("true", in: cgroup)
    try expect(try child.wait() == .exited(0), "true failed")
    _ = try cgroup.statistics()
}

check("an OOM kill is seen in memory.events") {
    let cgroup = try Cgroup.create(name: name, resources: try resources(.init(memory: "32m", memorySwap: "32m")))
    defer { try? cgroup.remove() }
    let status = try run("dd if=/dev/zero of=/dev/null bs=64M count=1", in: cgroup).wait()
    try expect(status == .signaled(SIGKILL), "dd ended with \(status)")
    try expect(try cgroup.statistics().oomKilled, "OOMKilled false")
}

check("the pids limit refuses forks, counted in pids.events") {
    let cgroup = try Cgroup.create(name: name, resources: try resources(.init(pidsLimit: "5")))
    defer { try? cgroup.remove() }
    _ = try run("for i in 1 2 3 4 5 6 7 8; do sleep 1 & done 2>/dev/null; wait", in: cgroup).wait()
    try expect(try cgroup.statistics().forksRefused > 0, "no fork refused")
}

check("cpu.max throttles, as cpu.stat counts") {
    let cgroup = try Cgroup.create(name: name, resources: try resources(.init(cpus: "0.1")))
    defer { try? cgroup.remove() }
    let status = try run("end=$(($(date +%s) + 2)); while [ $(date +%s) -lt $end ]; do :; done", in: cgroup).wait()
    try expect(status == .exited(0), "busy loop ended with \(status)")
    let throttled = try value("\(cgroupRoot)/minidock/\(name)/cpu.stat", "nr_throttled")
    try expect(throttled > 0, "nr_throttled is 0")
}

check("cgroup.freeze stops and resumes, cgroup.kill ends every process") {
    let cgroup = try Cgroup.create(name: name, resources: nil)
    let child = try run("sleep 30 & sleep 30", in: cgroup)
    let events = "\(cgroupRoot)/minidock/\(name)/cgroup.events"
    try cgroup.freeze()
    try expect(try value(events, "frozen") == 1, "not frozen")
    try cgroup.thaw()
    try expect(try value(events, "frozen") == 0, "still frozen")
    let processes = try cgroup.processes()
    try expect(processes.count == 2, "processes: \(processes)")
    try cgroup.remove()
    try expect(try child.wait() == .signaled(SIGKILL), "init not killed")
    try expect(access("\(cgroupRoot)/minidock/\(name)", F_OK) != 0, "the cgroup is still there")
}

// A delegated subtree, as a systemd service with Delegate=yes has it: minidock's parent under a
// cgroup that is not the root, holds no process, and has the controllers enabled for it.
let delegated = "\(cgroupRoot)/delegated"
mkdir(delegated, 0o755)
_ = try? FileContents.write(Array("+cpu +memory +pids".utf8), to: FilePath("\(delegated)/cgroup.subtree_control"))
check("a delegated subtree: minidock/ made under it, limits enforced, removed after", root: delegated) {
    let cgroup = try Cgroup.create(name: name, resources: try resources(.init(memory: "32m", memorySwap: "32m")),
                                   root: FilePath(delegated))
    defer { try? cgroup.remove() }
    try expect(try read("\(delegated)/minidock/\(name)/memory.max") == "33554432", "memory.max")
    let status = try run("dd if=/dev/zero of=/dev/null bs=64M count=1", in: cgroup).wait()
    let oomKilled = try cgroup.statistics().oomKilled
    try expect(status == .signaled(SIGKILL) && oomKilled, "not OOM-killed: \(status)")
}
rmdir(delegated)
