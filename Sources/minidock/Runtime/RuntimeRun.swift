import ArgumentParser
import Runtime

/// `run ID`: create, start, and (unless --detach) wait; exits with the container's status.
struct RuntimeRun: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Create and run a container.")
    @OptionGroup var options: RuntimeCreateOptions
    @Flag(name: [.short, .long], help: "Detach from the container's process.") var detach = false
    @Flag(name: .long, help: "Keep the container's state when it exits.") var keep = false
    @Argument var id: String

    func run() throws {
        var status: ExitStatus?
        try runtimeVerb { status = try $0.run(id, options.createOptions, detach: detach, keep: keep) }
        if let status { throw ExitCode(status.dockerExitCode) }
    }
}
