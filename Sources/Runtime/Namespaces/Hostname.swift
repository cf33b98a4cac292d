#if canImport(Glibc)
import Glibc
#endif

/// The hostname lives in the UTS namespace: setting it inside a new one leaves the host's alone.
public enum Hostname {
    public static func set(_ name: String) throws {
        try Syscall.call("sethostname", [quoted(name), "\(name.utf8.count)"], subject: quoted(name)) {
            sethostname(name, name.utf8.count)
        }
    }

    public static func current() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        gethostname(&buffer, buffer.count - 1)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
