import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif
import Runtime

/// `minidock`: a Docker-compatible CLI on the Runtime library. One file per command.
struct Minidock: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "minidock",
        abstract: "A small container runtime you can read, with Docker's commands.",
        version: MinidockVersion.version,
        subcommands: [
            ImagesCommand.self, PullCommand.self, PushCommand.self, ImportCommand.self, LoadCommand.self,
            SaveCommand.self, ExportCommand.self, TagCommand.self, RmiCommand.self, HistoryCommand.self, LoginCommand.self,
            LogoutCommand.self, SearchCommand.self, InfoCommand.self, VersionCommand.self, RuntimeCommand.self,
        ]
    )
}

/// Options every command takes, as Docker's global flags.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "Root of minidock's state (default: $MINIDOCK_ROOT or /var/lib/minidock).")
    var root: String?

    @Flag(name: .long, help: "Print the trace of every kernel call.")
    var debug = false

    /// The storage root: --root, else $MINIDOCK_ROOT, else /var/lib/minidock. An empty one
    /// would mean the working directory: refused in `validate`.
    var storageRoot: String {
        if let root { return root }
        if let fromEnvironment = getenv("MINIDOCK_ROOT"), fromEnvironment.pointee != 0 {
            return String(cString: fromEnvironment)
        }
        return "/var/lib/minidock"
    }

    func validate() throws {
        if root?.isEmpty == true { throw ValidationError("--root: empty path; give a directory") }
    }

    func apply() {
        if debug { Trace.printToStandardError(prefix: "debug") }
    }
}
