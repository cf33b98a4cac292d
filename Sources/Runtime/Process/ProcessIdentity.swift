#if canImport(Glibc)
import Glibc
#endif
import SystemPackage

/// A process as something can be owned by: its PID *and* its start time.
///
/// A PID alone is not an identity: after a process dies the kernel hands its number to the
/// next one, and a temporary or a lock "owned by 4242" would then be kept alive by a stranger.
/// The start time (field 22 of /proc/PID/stat, in clock ticks since boot) tells the two apart.
public struct ProcessIdentity: Hashable, Sendable, CustomStringConvertible {
    public var pid: pid_t
    public var startTime: UInt64

    public init(pid: pid_t, startTime: UInt64) {
        self.pid = pid
        self.startTime = startTime
    }

    /// This process.
    public static let current: ProcessIdentity = ProcessIdentity(pid: getpid(), startTime: startTime(of: getpid()) ?? 0)

    /// `PID-STARTTIME`, the spelling used in names of temporaries.
    public var description: String { "\(pid)-\(startTime)" }

    /// Parse `PID-STARTTIME` at the start of `text` (what follows is ignored).
    public init?(parsingPrefixOf text: String) {
        let fields = text.split(separator: "-", maxSplits: 2, omittingEmptySubsequences: false)
        guard fields.count >= 2, let pid = pid_t(fields[0]), pid > 0, let start = UInt64(fields[1]) else { return nil }
        self.init(pid: pid, startTime: start)
    }

    /// Parse exactly `PID-STARTTIME`, nothing before or after it: a name's whole suffix, so that
    /// `lesson05-4242-918273-kept` is *not* taken for 4242's.
    public init?(exactly text: Substring) {
        guard let identity = ProcessIdentity(parsingPrefixOf: String(text)), "\(identity)" == text else { return nil }
        self = identity
    }

    /// Whether this very process still runs (a zombie counts: it has not been reaped yet).
    public var isAlive: Bool { Self.startTime(of: pid) == startTime }

    /// Field 22 of /proc/PID/stat, or nil when there is no such process.
    public static func startTime(of pid: pid_t) -> UInt64? {
        stateAndStartTime(of: pid)?.startTime
    }

    /// Field 3 (the state letter: R, S, Z…) and field 22 of /proc/PID/stat, from one read.
    static func stateAndStartTime(of pid: pid_t) -> (state: UInt8, startTime: UInt64)? {
        guard let bytes = try? FileContents.read(FilePath("/proc/\(pid)/stat"), traced: false),
              let close = bytes.lastIndex(of: UInt8(ascii: ")")), close + 2 < bytes.count,
              let start = parse(stat: String(decoding: bytes, as: UTF8.self)) else { return nil }
        return (bytes[close + 2], start)
    }

    /// Field 22 of a /proc/PID/stat line. The command name (field 2) is in parentheses and may
    /// itself hold spaces and parentheses: count from the last `)`.
    static func parse(stat: String) -> UInt64? {
        guard let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // fields[0] is field 3 (state); field 22 is fields[19].
        return fields.count > 19 ? UInt64(fields[19]) : nil
    }
}
