#if canImport(Glibc)
import Glibc
#endif

/// RFC 3339 times as image configs carry them, and Docker's "2 hours ago".
public enum Timestamp {
    public static func now() -> String { format(time(nil)) }

    public static func format(_ seconds: time_t) -> String {
        var value = seconds
        var parts = tm()
        gmtime_r(&value, &parts)
        var buffer = [CChar](repeating: 0, count: 32)
        strftime(&buffer, buffer.count, "%Y-%m-%dT%H:%M:%SZ", &parts)
        return String(cString: buffer)
    }

    /// Seconds since the epoch of `2026-11-29T04:40:00Z` or `…00.123456789Z`; nil if unreadable.
    public static func parse(_ text: String) -> time_t? {
        // YYYY-MM-DDTHH:MM:SS, then a fraction and a zone we read as UTC (configs use Z).
        let digits = Array(text.utf8.prefix(19))
        guard digits.count == 19, digits[4] == UInt8(ascii: "-"), digits[7] == UInt8(ascii: "-"),
              digits[10] == UInt8(ascii: "T"), digits[13] == UInt8(ascii: ":"), digits[16] == UInt8(ascii: ":") else { return nil }
        func number(_ range: Range<Int>) -> Int32? { Int32(String(decoding: digits[range], as: UTF8.self)) }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
              let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19) else { return nil }
        var parts = tm()
        parts.tm_year = year - 1900
        parts.tm_mon = month - 1
        parts.tm_mday = day
        parts.tm_hour = hour
        parts.tm_min = minute
        parts.tm_sec = second
        return timegm(&parts)
    }

    /// As Docker's CREATED column: `About a minute ago`, `3 hours ago`, `2 weeks ago`.
    public static func ago(_ text: String?, now: time_t = time(nil)) -> String {
        guard let text, let then = parse(text) else { return "N/A" }
        let seconds = max(0, Int(now - then))
        func plural(_ count: Int, _ unit: String) -> String { "\(count) \(unit)\(count == 1 ? "" : "s") ago" }
        switch seconds {
        case ..<1: return "Less than a second ago"
        case ..<60: return plural(seconds, "second")
        case ..<120: return "About a minute ago"
        case ..<3600: return plural(seconds / 60, "minute")
        case ..<7200: return "About an hour ago"
        case ..<172_800: return plural(seconds / 3600, "hour")
        case ..<1_209_600: return plural(seconds / 86_400, "day")
        case ..<5_184_000: return plural(seconds / 604_800, "week")
        case ..<63_072_000: return plural(seconds / 2_592_000, "month")
        default: return plural(seconds / 31_536_000, "year")
        }
    }
}
