import ArgumentParser
import FoundationEssentials
import Runtime

/// `state ID`: the runtime-spec's state JSON, as runc prints it (indented).
struct RuntimeState: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "state", abstract: "Output the state of a container.")
    @Argument var id: String

    func run() throws {
        try runtimeVerb { runtime in print(try prettyJSON(try runtime.state(id))) }
    }
}

/// JSON with runc's look: two-space indentation, keys in the model's order.
func prettyJSON<T: Encodable>(_ value: T) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(value), as: UTF8.self)
}

/// `list`: every container, as runc's table (or JSON with --format json, IDs with -q).
struct RuntimeList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List containers.")
    @Option(name: [.short, .long], help: "table or json.") var format = "table"
    @Flag(name: [.short, .long], help: "Display only container IDs.") var quiet = false

    func run() throws {
        guard ["table", "json"].contains(format) else { throw ValidationError("--format \(format): table or json") }
        try runtimeVerb { runtime in
            let states = try runtime.list()
            if quiet { states.forEach { print($0.id) }; return }
            if format == "json" { print(try prettyJSON(states)); return }
            var table = TableWriter(header: ["ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"])
            for state in states {
                table.add([state.id, "\(state.pid)", state.status.rawValue, state.bundle, state.created, state.owner.isEmpty ? "root" : state.owner])
            }
            print(table.render(), terminator: "")
        }
    }
}
