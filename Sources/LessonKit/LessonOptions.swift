import ArgumentParser
import Runtime

/// The command line every lesson shares: `LessonNN [its own flags] [--quiet] -- CMD [ARGS…]`.
public struct CommandOptions: ParsableArguments {
    @Flag(name: .long, help: "Do not print the trace of kernel calls or the narration.")
    public var quiet = false

    @Argument(parsing: .captureForPassthrough, help: "The command to run, after --.")
    public var command: [String] = []

    public init() {}

    /// The command is captured with everything after it, flags included (`-- ls -l`), so an
    /// unknown flag of the lesson's own would be taken for a command: refuse it here instead.
    public func validate() throws {
        if let first = command.first, first != "--", first.hasPrefix("-") {
            throw ValidationError("unknown flag: \(first)")
        }
    }

    /// The command without a leading `--`; it is required.
    public func requiredCommand() throws -> [String] {
        let words = command.first == "--" ? Array(command.dropFirst()) : command
        guard !words.isEmpty else { throw RuntimeError("no command given: put it after --, as in -- sh -c 'echo hi'") }
        return words
    }
}

/// `--rootfs DIR`, defaulting to the busybox rootfs that `make rootfs` builds.
public struct RootfsOption: ParsableArguments {
    @Option(name: .long, help: "The root filesystem directory (default: the busybox fixture from `make rootfs`).")
    public var rootfs: String?

    public init() {}

    /// The rootfs as an absolute path, validated: present, a directory, not empty.
    public func resolved() throws -> String {
        let path: String
        if let rootfs {
            path = rootfs.hasPrefix("/") ? rootfs : Paths.currentDirectory() + "/" + rootfs
        } else if let found = Paths.findBusyboxFixture() {
            path = found
        } else {
            throw RuntimeError("no --rootfs given and no fixtures/busybox-rootfs found: run `make rootfs` or pass --rootfs DIR")
        }
        try Rootfs.validate(.init(path))
        return path
    }
}
