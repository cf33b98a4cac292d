#if canImport(Glibc)
import Glibc
#endif
import SystemPackage

/// A process as the kernel knows it for good: its PID *and* its start time.
///
/// A PID alone is recycled: once its process is gone, the next process may get the same number.
/// The start time (field 22 of /proc/PID/stat, in clock ticks since boot) tells the two apart,
/// so a name that carries both — `lesson05-4242-918273` — says for certain whether its owner
/// still runs. This is how what a killed process left behind is recognised and swept.
public struct ProcessIdentity: Equatable, Sendable, CustomStringConvertible {
    public let pid: pid_t
    public let startTime: UInt64

    public init(pid: pid_t, startTime: UInt64) {
        self.pid = pid
        self.startTime = startTime
    }

    /// This process.
    public static func current() throws -> ProcessIdentity {
        guard let me = of(getpid()) else { throw RuntimeError("read \"/proc/self/stat\": no start time found") }
        return me
    }

    /// The process running as `pid` now, or nil when there is none.
    public static func of(_ pid: pid_t) -> ProcessIdentity? {
        guard pid > 0, let stat = try? FileContents.readString(FilePath("/proc/\(pid)/stat")) else { return nil }
        return parse(stat: stat).map { ProcessIdentity(pid: pid, startTime: $0) }
    }

    /// Field 22 of a /proc/PID/stat line. Field 2, the command name in parentheses, may hold
    /// spaces and parentheses itself: count fields from the last ")".
    static func parse(stat: String) -> UInt64? {
        guard let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // fields[0] is field 3 (the state), so field 22 is fields[19].
        return fields.count > 19 ? UInt64(fields[19]) : nil
    }

    /// Whether this very process still runs (a zombie counts: it has not been reaped yet).
    public var isAlive: Bool { Self.of(pid) == self }

    /// `PID-STARTTIME`, as names of things a process owns carry it.
    public var description: String { "\(pid)-\(startTime)" }

    /// The identity a name's suffix spells (`4242-918273`), or nil if it spells none.
    public init?(_ text: Substring) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, let pid = pid_t(parts[0]), pid > 0, let start = UInt64(parts[1]),
              parts.allSatisfy({ $0.allSatisfy(\.isASCII) }) else { return nil }
        self.init(pid: pid, startTime: start)
    }
}
