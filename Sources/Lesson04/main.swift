// Lesson 04 — cgroups
//
// Goal: the Lesson03 container, now with limits: memory, CPU and number of processes,
// enforced by the kernel through a cgroup of its own. Watch a fork bomb hit the pids limit
// and a memory hog get OOM-killed — and see the kernel's own counters say so.
//
// Calls: mkdir(2) under /sys/fs/cgroup/…/minidock, write(2) of limit files (memory.limit_in_bytes
//        or memory.max, cpu.cfs_quota_us or cpu.max, pids.max), write of the child's PID to
//        cgroup.procs before it execs, read of memory.oom_control / pids.events, rmdir(2).
// Run:   sudo swift run Lesson04 --memory 64m --cpus 0.5 --pids 20 -- sh -c 'cat /proc/self/cgroup'
//        sudo swift run Lesson04 --demo oom
//        sudo swift run Lesson04 --demo fork-bomb
// Read:  docs/04-cgroups.md

import LessonKit
#if canImport(Glibc)
import Glibc
#endif

enum Demo: String, ExpressibleByArgument, CaseIterable {
    case oom
    case forkBomb = "fork-bomb"

    /// The command and the limit each demonstration needs.
    var command: [String] {
        switch self {
        // dd allocates one 128 MiB buffer and fills it from /dev/zero: every page it touches
        // is charged to the cgroup, and at 64 MiB the kernel's OOM killer ends it.
        case .oom: return ["dd", "if=/dev/zero", "of=/dev/null", "bs=128M", "count=1"]
        // The classic: a function that pipes itself into itself in the background, doubling
        // without end. PID 1 then *execs* sleep (a fork would be refused too) and holds the
        // namespace open for 3 seconds; when it exits the kernel kills every bomb process.
        case .forkBomb:
            return ["sh", "-c", "bomb() { bomb | bomb & }; bomb; exec sleep 3"]
        }
    }
}

// The values are taken as they come (`parsing: .unconditional`): `--memory-swap -1` is a
// value, not an unknown flag `-1`, and a negative number gets the flag's own error.
struct Options: ParsableArguments {
    @OptionGroup var rootfs: RootfsOption

    @Option(name: [.customShort("m"), .long], parsing: .unconditional, help: "Memory limit, as Docker's --memory: 64m, 1g.")
    var memory: String?
    @Option(name: .long, parsing: .unconditional, help: "Memory plus swap, as Docker's --memory-swap; -1 for unlimited swap.")
    var memorySwap: String?
    @Option(name: .long, parsing: .unconditional, help: "Soft memory limit, as Docker's --memory-reservation.")
    var memoryReservation: String?
    @Option(name: .long, parsing: .unconditional, help: "Number of CPUs, as Docker's --cpus: 0.5 is half of one CPU.")
    var cpus: String?
    @Option(name: .long, parsing: .unconditional, help: "Relative CPU weight, as Docker's --cpu-shares (default 1024).")
    var cpuShares: String?
    @Option(name: .long, parsing: .unconditional, help: "CPUs allowed, as Docker's --cpuset-cpus: 0-1, 0,1.")
    var cpusetCpus: String?
    @Option(name: [.customLong("pids"), .customLong("pids-limit")], parsing: .unconditional, help: "Maximum number of processes.")
    var pids: String?
    @Option(name: .long, help: "Run a demonstration: oom (with --memory 64m) or fork-bomb (with --pids 20).")
    var demo: Demo?

    @OptionGroup var common: CommandOptions
}

let options = Lesson.parse(Options.self, name: "lesson04")
let lesson = Lesson(name: "lesson04", quiet: options.common.quiet)

lesson.run {
    try lesson.requireRoot(for: "creating cgroups, namespaces and mounts needs root")
    let rootfsPath = try options.rootfs.resolved()
    let command = try options.demo?.command ?? options.common.requiredCommand()

    // 1. Docker's flags become the spec's linux.resources: bytes, a CFS quota per 100 ms
    //    period, a pids limit. A value Docker would refuse is refused here, before anything
    //    exists on the host.
    let flags = DockerResourceFlags(
        memory: options.memory ?? (options.demo == .oom ? "64m" : nil),
        memorySwap: options.memorySwap, memoryReservation: options.memoryReservation,
        cpus: options.cpus, cpuShares: options.cpuShares, cpusetCpus: options.cpusetCpus,
        pidsLimit: options.pids ?? (options.demo == .forkBomb ? "20" : nil))
    var spec = Spec.container(args: command, rootfs: rootfsPath, hostname: "lesson04")
    spec.linux?.resources = try flags.resources(onlineCPUs: HostInfo.onlineCPUs())

    // 2. The cgroup, under minidock's own parent. Which files get written depends on the
    //    host: v1 and hybrid hosts have one hierarchy per controller, v2 hosts one tree.
    let mode = CgroupMode.detect()
    // A previous run killed with SIGKILL could not remove its cgroup: do it now. The name
    // carries our PID and start time, so the next run can tell for certain we are gone.
    for leftover in Cgroup.removeAbandoned(prefix: "lesson04-", mode: mode) {
        lesson.say("removed \(leftover), left by a lesson04 that was killed")
    }
    let name = Cgroup.name(prefix: "lesson04-", owner: ProcessIdentity.current)
    lesson.say("this host's cgroups are \(mode.rawValue); creating minidock/\(name)")
    // A value only the kernel can judge (a CPU that does not exist) fails its file's write;
    // the error then names the flag it came from.
    let cgroup = try Cgroup.create(name: name, resources: spec.linux?.resources, mode: mode, naming: flags.naming)

    // 3. Whatever happens next, the cgroup goes when we do.
    defer { lesson.cleanUp("remove the cgroup") { try cgroup.remove() } }

    // 4. The Lesson03 container, with one step more: the parent writes the child's PID into
    //    cgroup.procs while the child waits, so the command is limited from its first
    //    instruction (children it forks are born in the same cgroup).
    let child = try ChildProcess.start(spec.process!, namespaces: CloneFlags(newNamespacesOf: spec),
                                       inParent: { pid in try cgroup.add(pid) },
                                       prepare: { try ContainerFilesystem.prepare(spec) })
    let status = try child.wait()

    // 5. Read the kernel's own account before the cgroup is removed.
    let stats = try cgroup.statistics()
    lesson.report("OOMKilled: \(stats.oomKilled) (oom_kill \(stats.oomKills))")
    lesson.report("forks refused by the pids limit: \(stats.forksRefused)")
    lesson.say("CPU time used: \(stats.cpuUsageNanoseconds / 1_000_000) ms")
    return status
}
