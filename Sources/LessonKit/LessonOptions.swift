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
        // An empty path would be taken for the current directory, and /proc, /dev and /sys
        // created in whatever directory the lesson was started from.
        if rootfs?.isEmpty == true {
            throw RuntimeError("--rootfs \"\": an empty path; give the root filesystem's directory")
        }
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
    @Option(name: .long, help: "A new directory for what the lesson makes (default: /tmp/LESSON-PID-STARTTIME). Removed at the end.")
    public var state: String?

    @Flag(name: .long, help: "Keep the state directory to look around in it.")
    public var keep = false

    public init() {}

    /// Where default state directories go, and the pattern of their names: `lesson05-PID-STARTTIME`.
    static let defaultParent: FilePath = "/tmp"

    /// Make the lesson's state directory. It must be new: everything in it is removed at the end.
    /// The default name carries our PID and start time, so that if we are killed before we can
    /// remove it, the next lesson knows for certain that its owner is gone (`removeAbandoned`).
    public func create(for lesson: Lesson) throws -> FilePath {
        if state?.isEmpty == true {
            throw RuntimeError("--state \"\": an empty path; give a new directory")
        }
        let directory = state.map { FilePath($0) }
            ?? Self.defaultParent.appending("\(lesson.name)-\(ProcessIdentity.current)")
        guard directory.isAbsolute else {
            throw RuntimeError("--state \(quoted(directory.string)): must be an absolute path")
        }
        guard access(directory.string, F_OK) != 0 else {
            throw RuntimeError("--state \(quoted(directory.string)): already exists; give a new directory")
        }
        // Root's alone, as the store: the layers it will hold have the image's setuid files.
        try Directories.create(directory, mode: 0o700)
        return directory
    }

    /// Remove the state directory, unless `--keep`. A failure is reported (`Lesson.cleanUp`).
    public func finish(_ directory: FilePath, lesson: Lesson) {
        if keep && state == nil {
            // A default name says "remove me once my lesson is gone" to the next lesson's sweep:
            // a directory kept on purpose gets a name that says nothing of the kind.
            let kept = FilePath(directory.string + "-kept")
            lesson.cleanUp("rename the kept state directory \(directory)") {
                try Syscall.call("rename", [quoted(directory.string), quoted(kept.string)], subject: quoted(directory.string)) {
                    rename(directory.string, kept.string)
                }
            }
            lesson.report("kept \(kept)")
        } else if keep {
            lesson.say("kept \(directory)")
        } else {
            lesson.cleanUp("remove the state directory \(directory)") { try TreeWalk.remove(directory) }
        }
    }

    /// Remove the default state directories (`/tmp/lessonNN-PID-STARTTIME`) whose lesson is no
    /// longer running: what a lesson killed with SIGKILL left. Only names of exactly that
    /// pattern are touched; a directory given with `--state` is the user's to keep or remove.
    @discardableResult
    static func removeAbandoned(in parent: FilePath = defaultParent) -> [FilePath] {
        var removed: [FilePath] = []
        for name in (try? Directories.entries(parent)) ?? [] {
            guard let owner = abandonedOwner(ofStateName: name), !owner.isAlive else { continue }
            let directory = parent.appending(name)
            // /tmp is everyone's: only a real directory (not a link) that is ours, as the lesson
            // made it, is a lesson's state. Anyone can make a directory with such a name.
            var info = stat()
            guard (try? Syscall.call("lstat", [quoted(directory.string)], subject: quoted(directory.string), traced: false) {
                lstat(directory.string, &info)
            }) != nil, info.st_mode & S_IFMT == S_IFDIR, info.st_uid == geteuid() else { continue }
            guard (try? TreeWalk.remove(directory)) != nil else { continue }
            removed.append(directory)
        }
        return removed
    }

    /// The owner a default state directory's name spells: `lesson05-4242-918273` → 4242, 918273.
    static func abandonedOwner(ofStateName name: String) -> ProcessIdentity? {
        let lesson = name.prefix(8)  // "lessonNN"
        guard lesson.count == 8, lesson.hasPrefix("lesson"), lesson.dropFirst(6).allSatisfy({ $0.isASCII && $0.isNumber }),
              name.dropFirst(8).first == "-" else { return nil }
        return ProcessIdentity(exactly: name.dropFirst(9))
    }
}
