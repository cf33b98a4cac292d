// Lesson 02 — a root filesystem
//
// Goal: run a command with the busybox rootfs as its `/`. First with chroot(2), and watch a
// program escape it back to the host's root. Then properly: a private mount namespace, the
// rootfs bind-mounted onto itself, pivot_root(2), the old root detached — and the same
// escape finds nothing but the rootfs.
//
// Calls: chroot(2); clone(CLONE_NEWNS), mount(MS_REC|MS_PRIVATE), mount(MS_BIND),
//        pivot_root(2), umount2(MNT_DETACH).
// Run:   sudo swift run Lesson02 -- ls /
//        sudo swift run Lesson02 --only chroot --breakout -- cat /etc/os-release
// Read:  docs/02-rootfs.md

import LessonKit

enum Method: String, ExpressibleByArgument, CaseIterable {
    case chroot
    case pivotRoot = "pivot-root"
}

struct Options: ParsableArguments {
    @OptionGroup var rootfs: RootfsOption

    @Option(name: .long, help: "Run one way only: chroot or pivot-root (default: all four acts).")
    var only: Method?

    @Flag(name: .long, help: "With --only: run the command through the rootfs's breakout program.")
    var breakout = false

    @OptionGroup var common: CommandOptions
}

/// The escape program `make rootfs` compiles into the fixture (scripts/breakout.c).
let breakoutProgram = "/usr/local/bin/breakout"

let options = Lesson.parse(Options.self, name: "lesson02")
let lesson = Lesson(name: "lesson02", quiet: options.common.quiet)

lesson.run {
    try lesson.requireRoot(for: "chroot, mount and pivot_root need CAP_SYS_CHROOT and CAP_SYS_ADMIN")
    let rootfs = FilePath(try options.rootfs.resolved())
    let command = try options.common.requiredCommand()

    // The process, as the spec describes it: PATH is the container's, not ours, because
    // the command is looked up inside the new root.
    func process(escaping: Bool) -> Spec.Process {
        Spec.Process(args: (escaping ? [breakoutProgram] : []) + command, env: [Spec.defaultPath], cwd: "/")
    }

    // The weak way: chroot changes what "/" means for path lookups. Nothing else.
    func runChrooted(escaping: Bool) throws -> ExitStatus {
        let child = try ChildProcess.start(process(escaping: escaping), prepare: {
            try Chroot.enter(rootfs)
        })
        return try child.wait()
    }

    // The real way. In order, each step needing the one before:
    //   - a new mount namespace (clone's CLONE_NEWNS), so our mounts are ours alone;
    //   - every mount in it made private, so nothing propagates back to the host — and
    //     because pivot_root refuses to move a shared mount;
    //   - the rootfs bind-mounted onto itself, because pivot_root's new root must be a mount;
    //   - pivot_root, then the old root detached: no path leads back to the host any more.
    func runPivoted(escaping: Bool) throws -> ExitStatus {
        let child = try ChildProcess.start(process(escaping: escaping), namespaces: .newMount, prepare: {
            try Mount.makeEverythingPrivate()
            try Mount.bindOntoItself(rootfs)
            try PivotRoot.pivot(into: rootfs)
        })
        return try child.wait()
    }

    switch options.only {
    case .chroot?:
        return try runChrooted(escaping: options.breakout)
    case .pivotRoot?:
        return try runPivoted(escaping: options.breakout)
    case nil:
        lesson.say("act 1: \(command) under chroot into \(rootfs)")
        _ = try runChrooted(escaping: false)

        let canEscape = ExecutableLookup.isExecutableFile(rootfs.string + breakoutProgram)
        if canEscape {
            lesson.say("act 2: the same command through \(breakoutProgram), still under chroot: it escapes to the host's /")
            _ = try runChrooted(escaping: true)
            lesson.say("act 3: the breakout under pivot_root: it climbs to the top and finds only the rootfs")
            _ = try runPivoted(escaping: true)
        } else {
            lesson.say("acts 2 and 3 skipped: no \(breakoutProgram) in the rootfs (`make rootfs` builds it)")
        }

        lesson.say("act 4: \(command) under pivot_root; its exit status is the lesson's")
        return try runPivoted(escaping: false)
    }
}
