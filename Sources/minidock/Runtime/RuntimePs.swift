import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif
import Runtime

/// `ps ID [ps options]`: as runc, ps(1) run with the options given (`-ef` by default) and its
/// lines kept for the container's processes only; `--format json` prints their PIDs.
struct RuntimePs: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ps", abstract: "Display the processes running in a container.")
    @Option(name: [.short, .long], help: "table or json.") var format = "table"
    @Argument var id: String
    @Argument(parsing: .captureForPassthrough) var psOptions: [String] = []

    func run() throws {
        guard ["table", "json"].contains(format) else { throw ValidationError("--format \(format): table or json") }
        try runtimeVerb { runtime in
            let pids = try runtime.processes(id)
            if format == "json" {
                print("[" + pids.map(String.init).joined(separator: ",") + "]")
                return
            }
            let options = psOptions.first == "--" ? Array(psOptions.dropFirst()) : psOptions
            let output = try ProgramOutput.run("/bin/ps", options.isEmpty ? ["-ef"] : options)
            var lines = output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            guard !lines.isEmpty, let column = lines[0].split(separator: " ").firstIndex(of: "PID") else {
                throw RuntimeError("ps: no PID column in its output")
            }
            print(lines.removeFirst())
            let wanted = Set(pids)
            for line in lines {
                let fields = line.split(separator: " ")
                if fields.count > column, let pid = pid_t(fields[column]), wanted.contains(pid) { print(line) }
            }
        }
    }
}
