import Foundation
import XCTest

/// What a finished command left: its exit status (Docker-style), and what it printed.
struct CommandResult {
    var pid: Int32 = 0
    var status: Int32
    var stdout: String
    var stderr: String

    var stderrLines: [String] { stderr.split(separator: "\n").map(String.init) }
}

/// Runs programs the way a learner's shell would, with a deadline so that a hung lesson
/// fails its test instead of the whole run.
enum Command {
    /// The directory holding the binaries `swift build` made next to this test bundle.
    static let binaryDirectory: URL = {
        if let override = ProcessInfo.processInfo.environment["MINIDOCK_BIN_DIR"] {
            return URL(fileURLWithPath: override)
        }
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var directory = executable.deletingLastPathComponent()
        // On Linux the test runner is `<bin>/minidockPackageTests.xctest`, a file in <bin>.
        while !FileManager.default.fileExists(atPath: directory.appendingPathComponent("Lesson01").path),
              directory.path != "/" {
            directory.deleteLastPathComponent()
        }
        return directory
    }()

    static func binary(_ name: String) -> String {
        binaryDirectory.appendingPathComponent(name).path
    }

    /// Start `executable`; `onStart` gets the process while it runs (to signal it).
    /// With `closedPipe`, its standard output and error are a pipe whose reader has already
    /// gone, as after `… 2>&1 | head -1`: every write gets SIGPIPE or EPIPE, and nothing is read.
    @discardableResult
    static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                    in directory: URL? = nil, closedPipe: Bool = false,
                    timeout: TimeInterval = 60, onStart: ((Process) throws -> Void)? = nil) throws -> CommandResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        if let directory { process.currentDirectoryURL = directory }
        let output = Pipe(), errors = Pipe()
        if closedPipe {
            try output.fileHandleForReading.close()
            process.standardOutput = output.fileHandleForWriting
            process.standardError = output.fileHandleForWriting
        } else {
            process.standardOutput = output
            process.standardError = errors
        }
        process.standardInput = FileHandle.nullDevice
        try process.run()
        if closedPipe {
            try output.fileHandleForWriting.close()
            return try finish(process, executable, arguments, timeout: timeout, onStart: onStart, output: nil, errors: nil)
        }
        return try finish(process, executable, arguments, timeout: timeout, onStart: onStart, output: output, errors: errors)
    }

    private static func finish(_ process: Process, _ executable: String, _ arguments: [String], timeout: TimeInterval,
                               onStart: ((Process) throws -> Void)?, output: Pipe?, errors: Pipe?) throws -> CommandResult {

        // Drain both pipes on their own threads so a chatty command cannot block on a full pipe.
        let outData = Collected(), errData = Collected()
        let group = DispatchGroup()
        for (pipe, collected) in [(output, outData), (errors, errData)] {
            guard let pipe else { continue }
            group.enter()
            DispatchQueue.global().async { collected.data = pipe.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        }

        do {
            try onStart?(process)
        } catch {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            throw error
        }

        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            // Something it started may still hold the pipes open: do not wait for it forever.
            _ = group.wait(timeout: .now() + 5)
            XCTFail("\(executable) \(arguments) did not finish in \(Int(timeout)) s")
        }
        process.waitUntilExit()
        group.wait()
        let status = process.terminationReason == .uncaughtSignal
            ? 128 + process.terminationStatus : process.terminationStatus
        return CommandResult(pid: process.processIdentifier, status: status,
                             stdout: String(decoding: outData.data, as: UTF8.self),
                             stderr: String(decoding: errData.data, as: UTF8.self))
    }

    /// Wait until `condition` holds, polling; fail the test if it never does.
    static func waitFor(_ what: String, timeout: TimeInterval = 20, _ condition: () -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while !condition() {
            if Date() > deadline { throw SandboxError("timed out waiting for \(what)") }
            usleep(20_000)
        }
    }
}

struct SandboxError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Bytes read on a background thread; read only after the DispatchGroup says it is done.
private final class Collected: @unchecked Sendable {
    var data = Data()
}
