import CShim

/// SIGPIPE, the signal the kernel sends a process that writes to a pipe nobody reads
/// (`Lesson04 … 2>&1 | head -1` once head has its line).
///
/// Its default action kills at once, before any cleanup: a lesson or `minidock` dying of it
/// leaves its cgroup, state directory or temporaries behind. So they ignore it for
/// themselves: the write then fails with EPIPE, an error like any other, and the program
/// cleans up and exits. The container's own process gets the default back before execve
/// (`cshim_child_reset_signals`): an ignored signal stays ignored across exec, and `yes | head -1`
/// inside a container must end as it does anywhere else.
public enum BrokenPipe {
    public static func ignore() {
        _ = try? Syscall.call("signal", ["SIGPIPE", "SIG_IGN"], subject: "SIGPIPE", traced: false) { cshim_ignore_sigpipe() }
    }
}
