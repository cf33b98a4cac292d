import ArgumentParser
import Runtime

/// `kill ID [SIGNAL]`: SIGTERM by default; a name (`KILL`, `SIGKILL`) or a number.
struct RuntimeKill: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "kill", abstract: "Send a signal to a container's process.")
    @Flag(name: [.short, .long], help: "Send it to every process in the container.") var all = false
    @Argument var id: String
    @Argument var signal = "SIGTERM"

    func run() throws {
        try runtimeVerb { try $0.kill(id, signal: try SignalName.parse(signal), all: all) }
    }
}

/// `delete ID`: remove a stopped container (--force: kill it first).
struct RuntimeDelete: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "delete", abstract: "Delete a container.")
    @Flag(name: [.short, .long], help: "Kill a running container first.") var force = false
    @Argument var id: String

    func run() throws {
        try runtimeVerb { runtime in
            // runc: deleting what does not exist is an error, but not with --force.
            if force, (try? runtime.containers.load(id)) == nil { return }
            try runtime.delete(id, force: force)
        }
    }
}

/// `pause ID` / `resume ID`: freeze and thaw the container's cgroup.
struct RuntimePause: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "pause", abstract: "Suspend every process in a container.")
    @Argument var id: String
    func run() throws { try runtimeVerb { try $0.pause(id) } }
}

struct RuntimeResume: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "resume", abstract: "Resume a paused container.")
    @Argument var id: String
    func run() throws { try runtimeVerb { try $0.resume(id) } }
}
