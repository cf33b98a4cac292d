import ArgumentParser
import Runtime
import SystemPackage

/// Options `create` and `run` share, runc's spelling.
struct RuntimeCreateOptions: ParsableArguments {
    @Option(name: [.short, .long], help: "The bundle: a directory with config.json (default: the current directory).")
    var bundle = "."
    @Option(name: .long, help: "Write the container's PID to this file.") var pidFile: String?
    @Option(name: .long, help: "A unix socket to send the terminal's master to (process.terminal).") var consoleSocket: String?
    @Flag(name: .long, help: "Do not use pivot_root (refused: not implemented).") var noPivot = false
    @Flag(name: .long, help: "Accepted for runc compatibility; minidock makes no session keyring.") var noNewKeyring = false
    @Option(name: .long, help: "Pass this many descriptors after stdio into the container.") var preserveFds = 0

    var createOptions: OCIRuntime.CreateOptions {
        var options = OCIRuntime.CreateOptions(bundle: FilePath(bundle), pidFile: pidFile.map { FilePath($0) }, consoleSocket: consoleSocket)
        options.noPivot = noPivot
        options.preserveFDs = preserveFds
        return options
    }
}

/// `create ID`: the container set up, its process waiting for `start`.
struct RuntimeCreate: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "create", abstract: "Create a container.")
    @OptionGroup var options: RuntimeCreateOptions
    @Argument(help: "The container's ID.") var id: String

    func run() throws {
        try runtimeVerb { try $0.create(id, options.createOptions) }
    }
}

/// `start ID`: release the created container's process.
struct RuntimeStart: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "start", abstract: "Start a created container.")
    @Argument var id: String

    func run() throws {
        try runtimeVerb { try $0.start(id) }
    }
}
