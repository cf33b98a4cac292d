#if canImport(Glibc)
import Glibc
#endif

extension OCIRuntime {
    /// `run`: create and start in one, then — unless `detach` — wait for the container in the
    /// foreground (signals sent to us are forwarded to it, and it dies with us), delete it
    /// unless `keep`, and return how it ended.
    public func run(_ id: String, _ options: CreateOptions, detach: Bool, keep: Bool) throws -> ExitStatus? {
        var options = options
        options.diesWithCaller = !detach
        let child = try create(id, options)
        do {
            try start(id)
        } catch {
            try? delete(id, force: true)
            throw error
        }
        if detach { return nil }
        try SignalForwarding.start(to: child.pid)  // taken out again by wait, before it reaps
        let status = try child.wait()
        if !keep { try delete(id, force: true) }
        return status
    }
}
