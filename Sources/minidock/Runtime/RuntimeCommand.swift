import ArgumentParser
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif
import Runtime
import SystemPackage

/// `minidock runtime …`, and the same binary run as `minidock-runc`: runc's command line, so
/// that podman (through conmon), containerd (through its runc shim) and Docker can use minidock
/// as their OCI runtime. The verbs are thin: each parses, calls `OCIRuntime`, prints.
struct RuntimeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runtime",
        abstract: "The OCI runtime, with runc's commands (also installed as minidock-runc).",
        discussion: "Global options go before the command, as runc's: --root DIR, --log FILE, --log-format text|json, --debug, --systemd-cgroup.",
        subcommands: [
            RuntimeCreate.self, RuntimeStart.self, RuntimeRun.self, RuntimeState.self, RuntimeKill.self, RuntimeDelete.self,
            RuntimePs.self, RuntimePause.self, RuntimeResume.self, RuntimeEvents.self, RuntimeUpdate.self,
            RuntimeFeaturesCommand.self, RuntimeSpec.self, RuntimeList.self, RuntimeExec.self,
        ]
    )
}

/// runc's global options, which come *before* the command (`runc --root X create …`); taken
/// off the arguments by hand, since they belong to no one verb.
struct RuntimeGlobals {
    /// --root, else $MINIDOCK_RUNC_ROOT (which engines pass on to every runtime call they make,
    /// podman's clean-up included), else /run/minidock-runc.
    var root = getenv("MINIDOCK_RUNC_ROOT").flatMap { $0.pointee == 0 ? nil : FilePath(String(cString: $0)) }
        ?? ContainerDirectory.defaultRoot
    var log: String?
    var logFormat = "text"
    var debug = false

    nonisolated(unsafe) static var current = RuntimeGlobals()

    /// Take the global options from the front of `arguments`; an unknown or malformed one is an error.
    static func extract(_ arguments: inout [String]) throws {
        var globals = RuntimeGlobals()
        if globals.root.string.isEmpty { throw RuntimeError("MINIDOCK_RUNC_ROOT: empty path", exitCode: 1) }
        while let first = arguments.first, first.hasPrefix("-") {
            let (name, inline) = first.contains("=") ? (String(first.split(separator: "=", maxSplits: 1)[0]), String(first.split(separator: "=", maxSplits: 1).dropFirst().first ?? "")) : (first, nil)
            func value() throws -> String {
                if let inline { return inline }
                guard arguments.count > 1 else { throw RuntimeError("\(name): needs a value", exitCode: 1) }
                arguments.removeFirst()
                return arguments[0]
            }
            switch name {
            case "--root":
                let path = try value()
                guard !path.isEmpty else { throw RuntimeError("--root: empty path; give a directory", exitCode: 1) }
                globals.root = FilePath(path)
            case "--log": globals.log = try value()
            case "--log-format":
                globals.logFormat = try value()
                guard ["text", "json"].contains(globals.logFormat) else {
                    throw RuntimeError("--log-format \(quoted(globals.logFormat)): text or json", exitCode: 1)
                }
            case "--debug": globals.debug = true
            case "--systemd-cgroup":
                throw RuntimeError("--systemd-cgroup: the systemd cgroup driver is not implemented by minidock; use cgroupfs", exitCode: 1)
            case "--rootless":
                let mode = try value()
                guard mode == "false" || mode == "auto" else {
                    throw RuntimeError("--rootless \(mode): rootless containers are not implemented by minidock", exitCode: 1)
                }
            case "--criu": _ = try value()
            case "-v", "--version", "-h", "--help": return current = globals
            default: throw RuntimeError("unknown global option \(quoted(name))", exitCode: 1)
            }
            arguments.removeFirst()
        }
        current = globals
    }

    func runtime() throws -> OCIRuntime {
        guard geteuid() == 0 else { throw RuntimeError("must be run as root: containers need namespaces, mounts and cgroups", exitCode: 1) }
        return try OCIRuntime(root: root)
    }

    /// An error on stderr and, with --log, in the log file (JSON lines, as containerd's shim reads them).
    func report(_ message: String) {
        fputs("minidock-runc: \(message)\n", stderr)
        guard let log else { return }
        let line = logFormat == "json"
            ? ((try? JSONEncoder().encode(LogLine(msg: message, time: Timestamp.now()))).map { String(decoding: $0, as: UTF8.self) } ?? "") + "\n"
            : "time=\"\(Timestamp.now())\" level=error msg=\"\(message)\"\n"
        let fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return }
        _ = line.utf8CString.withUnsafeBufferPointer { write(fd, $0.baseAddress, $0.count - 1) }
        close(fd)
    }
}

/// One line of the JSON log, in the field names runc writes and containerd's shim reads.
private struct LogLine: Encodable {
    var level = "error"
    var msg: String
    var time: String
}

/// Run a verb: the runtime under --root, runc's exit code 1 for every failure.
func runtimeVerb(_ body: (OCIRuntime) throws -> Void) throws {
    let globals = RuntimeGlobals.current
    if globals.debug { Trace.printToStandardError(prefix: "debug") }
    do {
        try body(try globals.runtime())
    } catch let error as RuntimeError {
        globals.report(error.message)
        // A command that cannot be found or run keeps Docker's 127/126 (`exec`); anything else is runc's 1.
        throw ExitCode(error.exitCode == ExitCode.notFound || error.exitCode == ExitCode.cannotInvoke ? error.exitCode : 1)
    }
}
