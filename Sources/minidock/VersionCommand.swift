import ArgumentParser
import Runtime
#if canImport(Glibc)
import Glibc
#endif

enum MinidockVersion {
    static let version = "0.1.0"
    static let apiVersion = "1.43"
}

/// `minidock version`: like `docker version`'s client section.
struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "version", abstract: "Show the minidock version information.")

    @OptionGroup var global: GlobalOptions

    func run() throws {
        global.apply()
        var system = utsname()
        uname(&system)
        let machine = withUnsafeBytes(of: system.machine) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        print("""
        Client:
         Version:           \(MinidockVersion.version)
         API version:       \(MinidockVersion.apiVersion)
         OCI runtime-spec:  \(Spec.version)
         OS/Arch:           linux/\(machine == "x86_64" ? "amd64" : machine)
        """)
    }
}
