import CShim

/// Signals sent to us passed on to our children: SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1,
/// SIGUSR2, SIGWINCH (the handler is C, in cshim.c, because it must be async-signal-safe).
///
/// Per child: each registered child has its own slot and its own count of SIGINT/SIGTERM.
/// The first is forwarded as it is; the second is sent as SIGKILL — `docker stop`'s forced
/// stop, for a container whose PID 1 ignores what it has no handler for. A process with two
/// children forwards to both, and taking one out leaves the other's forwarding as it was.
public enum SignalForwarding {
    /// Forward to `child` from now on. Throws EAGAIN when too many children are registered.
    public static func start(to child: pid_t) throws {
        try Syscall.call("forward signals", ["\(child)"], subject: "to \(child)", traced: false) { cshim_forward_signals_to(child) }
    }

    /// Stop forwarding to `child` — before reaping it, so its PID cannot have been recycled.
    /// Returns how many SIGINT/SIGTERM it was sent (2 or more: the last was SIGKILL).
    @discardableResult
    public static func stop(to child: pid_t) -> Int {
        Int(cshim_stop_forwarding_signals(child))
    }
}
