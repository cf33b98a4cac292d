import Foundation
@testable import Runtime
import XCTest

/// Signal forwarding with two children at once, as a monitor or a `perform` during a run has
/// them. The children are plain `sleep`s started by the test; the signal is raised in this
/// process, whose handler (cshim.c) forwards it before `raise` returns.
final class SignalForwardingTests: XCTestCase {
    var children: [Process] = []

    override func tearDown() {
        for child in children where child.isRunning {
            SignalForwarding.stop(to: child.processIdentifier)
            kill(child.processIdentifier, SIGKILL)
            child.waitUntilExit()
        }
        children = []
    }

    /// `sleep 30`, or a shell that ignores SIGTERM and SIGINT and execs sleep (the ignored
    /// dispositions survive the exec: a stand-in for a container's PID 1 without handlers).
    func start(ignoringStops: Bool = false) throws -> Process {
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/bin/sh")
        child.arguments = ["-c", (ignoringStops ? "trap '' TERM INT; " : "") + "exec sleep 30"]
        try child.run()
        children.append(child)
        // The trap is set once sh has exec'd sleep.
        try waitFor { ((try? String(contentsOfFile: "/proc/\(child.processIdentifier)/comm", encoding: .utf8)) ?? "") == "sleep\n" }
        return child
    }

    func waitFor(_ condition: () -> Bool) throws {
        for _ in 0..<1000 where !condition() { usleep(10_000) }
        XCTAssertTrue(condition(), "timed out")
    }

    func endedBy(_ child: Process) -> Int32? {
        child.waitUntilExit()
        return child.terminationReason == .uncaughtSignal ? child.terminationStatus : nil
    }

    /// Taking one child out of forwarding leaves the other's forwarding in place (it was one
    /// process-wide PID, overwritten by the second child and cleared by the first's end).
    func testEachChildHasItsOwnForwarding() throws {
        let first = try start(), second = try start()
        try SignalForwarding.start(to: first.processIdentifier)
        try SignalForwarding.start(to: second.processIdentifier)
        SignalForwarding.stop(to: first.processIdentifier)
        raise(SIGHUP)
        XCTAssertEqual(endedBy(second), SIGHUP, "still forwarded to the second child")
        SignalForwarding.stop(to: second.processIdentifier)
        XCTAssertTrue(first.isRunning, "no longer forwarded to the first child")
    }

    /// The first SIGTERM is forwarded and ignored; the second is SIGKILL — to each child,
    /// counted per child.
    func testTheSecondStopIsSIGKILLForEachChild() throws {
        let stubborn = try start(ignoringStops: true), other = try start(ignoringStops: true)
        try SignalForwarding.start(to: stubborn.processIdentifier)
        raise(SIGTERM)
        XCTAssertTrue(stubborn.isRunning, "it ignores SIGTERM")
        try SignalForwarding.start(to: other.processIdentifier)  // its count starts at zero
        raise(SIGINT)
        XCTAssertEqual(endedBy(stubborn), SIGKILL, "its second stop request")
        XCTAssertTrue(other.isRunning, "the other child has had only one")
        XCTAssertEqual(SignalForwarding.stop(to: stubborn.processIdentifier), 2)
        raise(SIGTERM)
        XCTAssertEqual(endedBy(other), SIGKILL)
        XCTAssertEqual(SignalForwarding.stop(to: other.processIdentifier), 2)
    }
}
