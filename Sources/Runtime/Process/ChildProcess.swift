import CShim
#if canImport(Glibc)
import Glibc
#endif
import SystemPackage

/// A command started as our child, possibly in new namespaces.
///
/// The order of `start` is the heart of every lesson:
///   1. a socketpair for the child's report (close-on-exec),
///   2. clone(2) with the CLONE_NEW* flags: the child begins life inside the new namespaces,
///   3. in the child, prctl(PR_SET_PDEATHSIG) so it dies with us, then "ready",
///   4. in the parent, `inParent` with the child's PID (join it to a cgroup), then "proceed",
///   5. in the child, once told to proceed: `prepare` (mounts, pivot_root, hostname...), execve(2),
///   6. in the parent, read the report: end-of-file means exec succeeded.
/// The child runs Swift code between clone and exec. That is safe only because the
/// parent is single-threaded when it clones (checked below): no other thread can hold a
/// lock (malloc's, the runtime's) that the child would then wait for forever.
public struct ChildProcess: Sendable {
    public let pid: pid_t

    /// Start `process` in new `namespaces`. `inParent` runs in the parent with the child's
    /// PID while the child waits (to put it in a cgroup before it can run anything); then
    /// `prepare` runs inside the child, then exec.
    /// Signals sent to us (SIGINT, SIGTERM...) are forwarded to the child from then on; a
    /// second SIGINT or SIGTERM is sent as SIGKILL (see `SignalForwarding`).
    /// Throws the child's own error if `prepare` or exec failed; the child is reaped then.
    public static func start(
        _ process: Spec.Process?,
        namespaces: CloneFlags = [],
        diesWithParent: Bool = true,
        whenPrepared: (() throws -> Void)? = nil,
        inParent: (pid_t) throws -> Void = { _ in },
        prepare: () throws -> Void = {}
    ) throws -> ChildProcess {
        if !namespaces.isEmpty { try requireSingleThreaded() }
        var ends: [Int32] = [-1, -1]
        try Syscall.call("socketpair", ["AF_UNIX", "SOCK_SEQPACKET|SOCK_CLOEXEC", "0", "[…]"],
                         subject: "") {
            socketpair(AF_UNIX, Int32(SOCK_SEQPACKET.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &ends)
        }
        let (parentEnd, childEnd) = (ends[0], ends[1])
        defer { close(parentEnd) }

        // Anything still in stdio's buffers would otherwise be copied into the child.
        fflush(nil)
        // The mask to go back to is ours, on this stack: two children started one after the
        // other (or a monitor's) share nothing.
        var savedMask = sigset_t()
        cshim_block_forwarded_signals(&savedMask)
        let pid: pid_t
        do {
            let flags = namespaces.isEmpty ? "SIGCHLD" : namespaces.cSpelling + "|SIGCHLD"
            pid = try Syscall.call("clone", [flags], subject: quoted(flags)) { cshim_clone(namespaces.rawValue) }
        } catch {
            cshim_restore_signal_mask(&savedMask)
            close(childEnd)
            throw error
        }
        if pid == 0 {
            close(parentEnd)
            // Our handlers and forwarding table are the parent's, and SIGPIPE is ignored
            // there: reset them before anything can deliver a signal, then unblock.
            cshim_child_reset_signals(&savedMask)
            runChild(process, prepare: prepare, report: childEnd, diesWithParent: diesWithParent, whenPrepared: whenPrepared)
        }

        close(childEnd)
        // Register the child for forwarding, then unblock whatever happened: a full table
        // (EAGAIN) is thrown below, where the waiting child is ended.
        let forwarding = Result { try SignalForwarding.start(to: pid) }
        cshim_restore_signal_mask(&savedMask)
        do {
            _ = try forwarding.get()
            // "ready" first: only then is the child sure to die with us. Had we sent "proceed"
            // earlier and died at once, the child could set its death signal after our death
            // (too late to fire) and find "proceed" waiting for it — a container nobody owns.
            let first = readReport(from: parentEnd)
            if first != .ready { throw first?.error ?? RuntimeError("the child ended before it was ready") }
            try inParent(pid)
            do {
                try ParentMessage.proceed.send(on: parentEnd)
            } catch let error as RuntimeError where error.errno == .brokenPipe || error.errno == .connectionReset {
                // The child is already gone — killed by a signal forwarded while it waited (a
                // second Ctrl-C): not a runtime failure; `wait` will say how it ended.
            }
        } catch {
            // The child is still waiting for us: nothing of the user's has run. End it.
            kill(pid, SIGKILL)
            reap(pid)
            throw error
        }
        // A child held after `prepare` (the runtime layer's `create`) says "prepared" and waits:
        // our part is done, and it is running, though not yet its command.
        let report = readReport(from: parentEnd)
        if whenPrepared != nil, report == .prepared {
            SignalForwarding.stop(to: pid)
            return ChildProcess(pid: pid)
        }
        if let report {
            reap(pid)  // it has exited, after sending its report
            throw report.error
        }
        return ChildProcess(pid: pid)
    }

    /// Stop forwarding signals to a child that failed to start, and collect it.
    private static func reap(_ pid: pid_t) {
        SignalForwarding.stop(to: pid)
        var status: Int32 = 0
        _ = try? Syscall.call("wait4", ["\(pid)"], subject: "\(pid)", traced: false) { waitpid(pid, &status, 0) }
    }

    /// Run `work` in a child in new `namespaces` and wait for it: work that must not touch our
    /// own process (an overlay mounted in a private mount namespace, gone when the child is).
    /// The child's error comes back as our own.
    public static func perform(namespaces: CloneFlags, _ work: () throws -> Void) throws {
        let status = try start(nil, namespaces: namespaces, prepare: work).wait()
        guard status == .exited(0) else { throw RuntimeError("child ended with \(status)") }
    }

    /// Wait for the child to end. Signals keep being forwarded until it has.
    public func wait() throws -> ExitStatus {
        // First wait without reaping (WNOWAIT): the PID stays the dead child's, so a signal
        // that arrives now is forwarded to a zombie, never to a process that took the PID
        // over. Stop forwarding, then reap.
        var info = siginfo_t()
        do {
            try Syscall.call("waitid", ["P_PID", "\(pid)", "WEXITED|WNOWAIT"], subject: "\(pid)", traced: false) {
                waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT)
            }
        } catch {
            SignalForwarding.stop(to: pid)
            throw error
        }
        SignalForwarding.stop(to: pid)
        var status: Int32 = 0
        try Syscall.call("wait4", ["\(pid)", "[\(ExitStatus(waitStatus: status))]", "0", "NULL"],
                         subject: "\(pid)") {
            waitpid(pid, &status, 0)
        }
        return ExitStatus(waitStatus: status)
    }

    /// The child's side: prepare, then become the command. Never returns.
    private static func runChild(_ process: Spec.Process?, prepare: () throws -> Void, report: Int32,
                                 diesWithParent: Bool, whenPrepared: (() throws -> Void)?) -> Never {
        func tell(_ message: ChildReport) {
            let bytes = message.encoded()
            _ = bytes.withUnsafeBytes { send(report, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        }
        /// Run a step; if it throws, report it as `kind` and exit with its code — `_exit`,
        /// not exit: no atexit handlers, no second flush of the parent's buffers.
        func step(_ kind: (RuntimeError) -> ChildReport, _ body: () throws -> Void) {
            do {
                try body()
            } catch {
                let failure = kind(error as? RuntimeError ?? RuntimeError("\(error)"))
                tell(failure)
                _exit(failure.error.exitCode)
            }
        }
        // If our parent dies — even by SIGKILL, with no chance to clean up — the kernel kills
        // us too: a container never outlives the process responsible for it. (The setting
        // survives exec.) Then say "ready": the parent sends "proceed" only after that, so if
        // it died before our prctl, no "proceed" ever comes and we leave below.
        step(ChildReport.setupFailed) {
            // (Not for a container that must outlive the command that created it: the runtime
            // layer's `create` exits and leaves it to `start`.)
            if diesWithParent {
                try Syscall.call("prctl", ["PR_SET_PDEATHSIG", "SIGKILL"], subject: "PR_SET_PDEATHSIG") { cshim_die_with_parent() }
            }
        }
        tell(.ready)
        // Wait for the parent's go-ahead: it may have work to do with our PID first.
        guard ParentMessage.receive(on: report) == .proceed else { _exit(ExitCode.runtimeFailure) }
        step(ChildReport.setupFailed, prepare)
        if let whenPrepared {
            tell(.prepared)
            step(ChildReport.setupFailed, whenPrepared)
        }
        // No process: the work was `prepare` itself (see `perform`). Closing the socket
        // without a report is success, just as exec's close-on-exec is.
        guard let process else { _exit(0) }
        step(ChildReport.execFailed) { try exec(process) }
        _exit(ExitCode.runtimeFailure)  // exec returns only by throwing
    }

    /// chdir to the process's cwd and execve its command. Returns only by throwing.
    static func exec(_ process: Spec.Process) throws -> Never {
        let environment = process.env ?? []
        guard let command = process.args.first else {
            throw RuntimeError("process.args: no command given", exitCode: ExitCode.runtimeFailure)
        }
        let executable = try ExecutableLookup.resolve(command, environment: environment)
        try Syscall.call("chdir", [quoted(process.cwd)], subject: quoted(process.cwd)) { chdir(process.cwd) }

        let argv = process.args.map { strdup($0) } + [nil]
        let envp = environment.map { strdup($0) } + [nil]
        // Traced before the call: a successful execve never returns to say so.
        Trace.emit("execve(\(quoted(executable)), [\(process.args.map(quoted).joined(separator: ", "))], [\(environment.count) vars])")
        do {
            try Syscall.call("execve", [quoted(executable), "…"], subject: quoted(command), traced: false) {
                execve(executable, argv, envp)
            }
        } catch let failure as RuntimeError {
            let error = failure.errno ?? .noSuchFileOrDirectory
            throw RuntimeError(call: "exec", subject: quoted(command), errno: error,
                               exitCode: ExecutableLookup.exitCode(forExecError: error.rawValue))
        }
        throw RuntimeError("exec \(quoted(command)): execve returned")
    }

    /// nil when the child exec'd (end-of-file), else the report it sent.
    private static func readReport(from socket: Int32) -> ChildReport? {
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        let count = (try? Syscall.call("recv", ["\(socket)"], subject: "from the child", traced: false) {
            buffer.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
        }) ?? 0
        if count <= 0 { return nil }
        return ChildReport.decode(Array(buffer[..<count]))
            ?? .setupFailed(RuntimeError("child sent an unreadable report"))
    }

    /// Namespaces cannot be joined (setns of a mount namespace) or created for a user
    /// namespace by a multithreaded process, and a clone'd child of one inherits locks
    /// held by threads that did not come along. Check rather than hope.
    static func requireSingleThreaded() throws {
        let threads = try countThreads()
        if threads > 1 {
            throw RuntimeError("clone: this process has \(threads) threads; a container must be started from a single-threaded process")
        }
    }

    static func countThreads() throws -> Int {
        try Directories.entries("/proc/self/task").count
    }
}
