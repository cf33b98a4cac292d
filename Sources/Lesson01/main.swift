// Lesson 01 — a process
//
// Goal: run a command as our child and report how it ended, as Docker does. Every container
// is, in the end, this: a process we start, forward signals to, wait for, and whose exit
// status we report. The later lessons only change what happens between clone and exec.
//
// Calls: socketpair(2), clone(2), execve(2), wait4(2); kill(2) for forwarded signals.
// Run:   swift run Lesson01 -- sh -c 'echo hello from $$; exit 3'; echo "exit code $?"
// Read:  docs/01-process.md

import LessonKit

struct Options: ParsableArguments {
    @OptionGroup var common: CommandOptions
}

let options = Lesson.parse(Options.self, name: "lesson01")
let lesson = Lesson(name: "lesson01", quiet: options.common.quiet)

lesson.run {
    // 1. Describe the process the way the OCI runtime-spec does: its arguments, its
    //    environment, its working directory. A plain child inherits ours.
    let process = Spec.Process(
        args: try options.common.requiredCommand(),
        env: HostEnvironment.current(),
        cwd: HostEnvironment.currentDirectory()
    )

    // 2. Start it. Runtime clones (no new namespaces yet: that is Lesson03), and the child
    //    looks the command up in PATH and execs it. If exec fails, the child tells us why
    //    over a close-on-exec socket, and we exit 127 (not found) or 126 (cannot run).
    lesson.say("starting \(process.args) as a child process")
    let child = try ChildProcess.start(process)

    // 3. Wait. While we do, SIGINT and SIGTERM sent to us are passed on to the child:
    //    press Ctrl-C during `-- sleep 30` and the sleep, not just this lesson, stops.
    lesson.say("child \(child.pid) is running; waiting, forwarding SIGINT/SIGTERM to it")
    return try child.wait()
    // 4. `lesson.run` exits with the status as Docker reports it: the child's own exit
    //    code, or 128+N if signal N killed it (137 for SIGKILL).
}
