#if canImport(Glibc)
import Glibc
#endif
@testable import Runtime
import XCTest

/// A process named by PID and start time: what tells a dead owner from a recycled PID.
final class ProcessIdentityTests: XCTestCase {
    func testStartTimeIsField22EvenWithParenthesesInTheName() {
        // Field 2 is the command name in parentheses; it may hold ") " itself.
        let stat = "4242 (evil) 1 2 3) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 918273 1000 10"
        XCTAssertEqual(ProcessIdentity.parse(stat: stat), 918273)
        XCTAssertNil(ProcessIdentity.parse(stat: "4242 (short) S 1"))
    }

    func testOurselvesAliveAndAnotherStartTimeNot() {
        let me = ProcessIdentity.current
        XCTAssertEqual(me.pid, getpid())
        XCTAssertTrue(me.isAlive)
        XCTAssertFalse(ProcessIdentity(pid: me.pid, startTime: me.startTime + 1).isAlive, "same PID, another process")
    }

    func testNamesSpellIdentities() {
        XCTAssertEqual(ProcessIdentity(exactly: "4242-918273"), ProcessIdentity(pid: 4242, startTime: 918273))
        for bad in ["4242", "4242-", "-918273", "4242-918273-kept", "0-1", "x-1", "4242-٣", "042-1"] {
            XCTAssertNil(ProcessIdentity(exactly: Substring(bad)), bad)
        }
    }
}
