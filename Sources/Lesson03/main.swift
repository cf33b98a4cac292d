// Lesson 03 — namespaces
//
// Goal: a process that has its own hostname (UTS), is PID 1 and sees no host process (PID),
// has its own System V IPC (IPC), and its own mount table (mount) with a fresh /proc, a
// minimal /dev and a read-only /sys. That is a container, minus limits and a network.
//
// Calls: clone(CLONE_NEWNS|CLONE_NEWUTS|CLONE_NEWIPC|CLONE_NEWPID), mount(2) of proc,
//        tmpfs, devpts, mqueue and sysfs, mknod(2), pivot_root(2), sethostname(2).
// Run:   sudo swift run Lesson03 -- sh -c 'hostname; ps; ls /dev'
// Read:  docs/03-namespaces.md

import LessonKit

struct Options: ParsableArguments {
    @OptionGroup var rootfs: RootfsOption

    @Option(name: .long, help: "The hostname inside the container.")
    var hostname = "lesson03"

    @Flag(name: .long, help: "Make the root filesystem read-only (the spec's root.readonly).")
    var readOnly = false

    @OptionGroup var common: CommandOptions
}

let options = Lesson.parse(Options.self, name: "lesson03")
let lesson = Lesson(name: "lesson03", quiet: options.common.quiet)

lesson.run {
    try lesson.requireRoot(for: "creating namespaces and mounting need CAP_SYS_ADMIN")
    let rootfsPath = try options.rootfs.resolved()

    // 1. The container as an OCI spec: the command, the namespaces, the default mounts
    //    (/proc, /dev, /dev/pts, /dev/shm, /dev/mqueue, /sys read-only), the hostname.
    var spec = Spec.container(args: try options.common.requiredCommand(), rootfs: rootfsPath,
                              hostname: options.hostname)
    spec.root?.readonly = options.readOnly
    let namespaces = CloneFlags(newNamespacesOf: spec)

    // 2. clone with the namespace flags. The child is born inside them: in the new PID
    //    namespace it is PID 1 — it will be the container's init. (unshare(CLONE_NEWPID)
    //    would not do: it moves only the caller's *future* children.)
    lesson.say("cloning into new namespaces: \(namespaces.cSpelling)")
    let child = try ChildProcess.start(spec.process!, namespaces: namespaces, prepare: {
        // 3. Inside the child, before exec — Runtime/Namespaces/ContainerFilesystem.swift,
        //    step by step in the trace:
        //    - Lesson02's order first: every mount private, the rootfs bind-mounted on itself;
        //    - the spec's mounts under the rootfs: /proc (from inside the new PID namespace,
        //      so it lists only this one), a tmpfs /dev, /dev/pts, /dev/shm, /dev/mqueue, /sys ro;
        //    - the device nodes in the new /dev: null, zero, full, random, urandom, tty;
        //    - pivot_root, the old root detached, `/` remounted read-only if asked;
        //    - the hostname, set in the new UTS namespace: the host's stays as it was.
        try ContainerFilesystem.prepare(spec)
    })
    lesson.say("container init is PID \(child.pid) on the host; inside, it is PID 1")
    return try child.wait()
    // When PID 1 exits the kernel kills every process left in its PID namespace, and the
    // mount namespace — with every mount made above — goes with the last of them.
}
