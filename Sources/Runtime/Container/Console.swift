import CShim
#if canImport(Glibc)
import Glibc
#endif

/// A container's terminal, for `process.terminal: true`: a pseudo-terminal, opened inside the
/// container (its own /dev/ptmx, after pivot_root), whose slave side becomes the container
/// process's controlling terminal and stdio, and whose master side goes to whoever asked for it
/// through `--console-socket` — an engine (conmon, containerd's shim) listening on a unix socket
/// receives the descriptor with SCM_RIGHTS and relays it to the user. The runtime keeps
/// neither end once the container has started.
public struct Console: Sendable {
    public let master: Int32
    public let slave: Int32

    public static func open() throws -> Console {
        var slave: Int32 = -1
        let master = try Syscall.call("posix_openpt", ["O_RDWR|O_NOCTTY"], subject: "a pseudo-terminal") { cshim_open_pty(&slave) }
        return Console(master: master, slave: slave)
    }

    /// In the container's process (a new session of its own): the slave becomes the controlling
    /// terminal and standard input, output and error.
    public func becomeControllingTerminal(size: Spec.ConsoleSize?) throws {
        try Syscall.call("setsid", [], subject: "") { setsid() }
        try Syscall.call("ioctl", ["\(slave)", "TIOCSCTTY", "0"], subject: "the terminal") { cshim_set_controlling_terminal(slave) }
        if let size {
            try Syscall.call("ioctl", ["\(slave)", "TIOCSWINSZ", "{\(size.height), \(size.width)}"], subject: "the terminal") {
                cshim_set_window_size(slave, size.height, size.width)
            }
        }
        for target: Int32 in 0...2 {
            try Syscall.call("dup2", ["\(slave)", "\(target)"], subject: "the terminal") { dup2(slave, target) }
        }
    }

    /// Hand the master to the listener on the connected `socket` (the engine's console socket).
    public func send(over socket: Int32) throws {
        try Syscall.call("sendmsg", ["\(socket)", "SCM_RIGHTS [\(master)]"], subject: "the console socket") {
            cshim_send_descriptor(socket, master, "/dev/ptmx")
        }
    }

    public func close() {
        Glibc.close(master)
        Glibc.close(slave)
    }
}
