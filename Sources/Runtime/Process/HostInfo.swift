#if canImport(Glibc)
import Glibc
#endif

/// Facts about the host for `minidock info`: uname(2), sysconf(3), /etc/os-release.
public struct HostInfo: Sendable {
    public var kernelRelease: String
    public var machine: String
    public var name: String
    public var operatingSystem: String
    public var cpus: Int
    /// Human-readable, as Docker prints it: `23.47GiB`.
    public var totalMemory: String

    public static func current() -> HostInfo {
        var system = utsname()
        uname(&system)
        func text<T>(_ field: T) -> String {
            withUnsafeBytes(of: field) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        }
        let bytes = Double(sysconf(Int32(_SC_PHYS_PAGES))) * Double(sysconf(Int32(_SC_PAGESIZE)))
        let gib = (bytes / 1_073_741_824 * 100).rounded() / 100
        return HostInfo(
            kernelRelease: text(system.release),
            machine: text(system.machine),
            name: text(system.nodename),
            operatingSystem: prettyOSName() ?? "Linux",
            cpus: onlineCPUs(),
            totalMemory: "\(gib)GiB"
        )
    }

    /// CPUs online now: the ceiling of Docker's `--cpus`.
    public static func onlineCPUs() -> Int { sysconf(Int32(_SC_NPROCESSORS_ONLN)) }

    static func prettyOSName() -> String? {
        guard let text = try? FileContents.readString("/etc/os-release") else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("PRETTY_NAME=") {
            return String(line.dropFirst("PRETTY_NAME=".count)).trimmingCharacters(in: "\"")
        }
        return nil
    }
}

private extension String {
    func trimmingCharacters(in quote: Character) -> String {
        var result = Substring(self)
        while result.first == quote { result = result.dropFirst() }
        while result.last == quote { result = result.dropLast() }
        return String(result)
    }
}
