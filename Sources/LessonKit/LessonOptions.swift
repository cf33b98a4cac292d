#if canImport(Glibc)
import Glibc
#endif
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

    /// The command without a leading `--`; empty when none was given.
    public var givenCommand: [String] {
        command.first == "--" ? Array(command.dropFirst()) : command
    }

    /// The command without a leading `--`; it is required.
    public func requiredCommand() throws -> [String] {
        let words = givenCommand
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

/// `--state DIR` and `--keep`: the directory a lesson makes its layers, store and container in.
public struct StateOption: ParsableArguments {
    @Option(name: .long, help: "A new directory for what the lesson makes (default: /tmp/LESSON-PID). Removed at the end.")
    public var state: String?

    @Flag(name: .long, help: "Keep the state directory to look around in it.")
    public var keep = false

    public init() {}

    /// Make the lesson's state directory. It must be new: everything in it is removed at the end.
    public func create(for lesson: Lesson) throws -> FilePath {
        let directory = FilePath(state ?? "/tmp/\(lesson.name)-\(getpid())")
        guard directory.isAbsolute else {
            throw RuntimeError("--state \(quoted(directory.string)): must be an absolute path")
        }
        guard access(directory.string, F_OK) != 0 else {
            throw RuntimeError("--state \(quoted(directory.string)): already exists; give a new directory")
        }
        try Directories.create(directory)
        return directory
    }

    /// Remove the state directory, unless `--keep`.
    public func finish(_ directory: FilePath, lesson: Lesson) {
        if keep { lesson.say("kept \(directory)") } else { try? TreeWalk.remove(directory) }
    }
}
