import ArgumentParser
import FoundationEssentials
import Runtime
import SystemPackage

/// `exec ID COMMAND…` or `exec --process FILE ID`: another process in a running container,
/// confined as its init (the container's environment, user, capabilities and limits, from
/// config.json), with runc's overrides.
struct RuntimeExec: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "exec", abstract: "Execute a new process inside a container.")
    @Option(name: [.short, .long], help: "A JSON file with the process (the spec's process object).") var process: String?
    @Flag(name: [.short, .long], help: "Give the process a terminal (needs --console-socket).") var tty = false
    @Flag(name: [.short, .long], help: "Do not wait for the process.") var detach = false
    @Option(name: .long, help: "Write the process's PID to this file.") var pidFile: String?
    @Option(name: .long, help: "A unix socket to send the terminal's master to.") var consoleSocket: String?
    @Option(name: .long, help: "The working directory in the container.") var cwd: String?
    @Option(name: [.short, .long], help: "An environment variable, KEY=value.") var env: [String] = []
    @Option(name: [.short, .long], help: "The user, UID[:GID].") var user: String?
    @Option(name: .customShort("g"), help: "An additional group ID.") var additionalGids: [UInt32] = []
    @Flag(name: .long, help: "Set no_new_privs for the process.") var noNewPrivs = false
    @Option(name: .long, help: "Pass this many descriptors after stdio into the process.") var preserveFds = 0
    @Argument var id: String
    @Argument(parsing: .captureForPassthrough) var command: [String] = []

    func run() throws {
        var status: ExitStatus?
        try runtimeVerb { runtime in
            var options = OCIRuntime.ExecOptions(process: try buildProcess(runtime))
            options.detach = detach
            options.pidFile = pidFile.map { FilePath($0) }
            options.consoleSocket = consoleSocket
            options.preserveFDs = preserveFds
            status = try runtime.exec(id, options)
        }
        if let status { throw ExitCode(status.dockerExitCode) }
    }

    func buildProcess(_ runtime: OCIRuntime) throws -> Spec.Process {
        if let process {
            do {
                return try JSONDecoder().decode(Spec.Process.self, from: Data(try FileContents.read(FilePath(process), traced: false)))
            } catch let error as DecodingError {
                throw RuntimeError("--process \(process): not a process object (\(error))", exitCode: 1)
            }
        }
        let arguments = command.first == "--" ? Array(command.dropFirst()) : command
        guard !arguments.isEmpty else { throw RuntimeError("exec: a command is needed after the container's ID", exitCode: 1) }
        var result = try runtime.containers.load(id).process ?? Spec.Process(args: arguments)
        result.args = arguments
        result.terminal = tty
        if let cwd { result.cwd = cwd }
        result.env = (result.env ?? []) + env
        if let user {
            let parts = user.split(separator: ":", omittingEmptySubsequences: false)
            guard (1...2).contains(parts.count), let uid = UInt32(parts[0]), parts.count == 1 || UInt32(parts[1]) != nil else {
                throw RuntimeError("--user \(quoted(user)): UID[:GID] as numbers", exitCode: 1)
            }
            var spec = Spec.User(uid: uid, gid: parts.count == 2 ? UInt32(parts[1])! : 0)
            spec.additionalGids = additionalGids.isEmpty ? nil : additionalGids
            result.user = spec
        }
        if noNewPrivs { result.noNewPrivileges = true }
        return result
    }
}
