/// `--platform` as Docker takes it (containerd's `platforms.Parse`), once for every command:
/// `os/arch[/variant]`, or one word that is an OS (`linux`: this machine's architecture) or an
/// architecture (`arm64`: on linux). Architectures are normalised the way containerd does so
/// that `linux/aarch64` finds an index entry that says `arm64`, and `linux/x86_64` one that says
/// `amd64`.
extension Platform {
    /// The platform minidock runs on: what `pull` picks from an index when not told otherwise.
    public static let host: Platform = {
        #if arch(arm64)
        Platform(architecture: "arm64", os: "linux")
        #else
        Platform(architecture: "amd64", os: "linux")
        #endif
    }()

    static let knownSystems: Set<String> = ["linux", "windows", "darwin", "freebsd", "netbsd", "openbsd", "solaris",
                                            "illumos", "aix", "android", "ios", "js", "plan9", "dragonfly", "wasip1"]

    public init(parsing text: String) throws {
        let parts = text.lowercased().split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        let valid = parts.allSatisfy { part in !part.isEmpty && part.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" } }
        guard (1...3).contains(parts.count), valid else {
            throw RuntimeError("invalid platform \(quoted(text)): expected os[/arch[/variant]]")
        }
        switch parts.count {
        case 1 where Self.knownSystems.contains(parts[0]):
            self.init(architecture: Self.host.architecture, os: parts[0])
        case 1:
            self.init(architecture: parts[0], os: Self.host.os)
        default:
            self.init(architecture: parts[1], os: parts[0], variant: parts.count == 3 ? parts[2] : nil)
        }
        self = normalized
    }

    /// containerd's spellings: `x86_64` is `amd64`, `aarch64` is `arm64` (whose `v8` is its only
    /// variant, so no variant), `armhf` is `arm/v7`, plain `arm` is `arm/v7`.
    public var normalized: Platform {
        var result = self
        result.os = os.lowercased()
        result.architecture = architecture.lowercased()
        result.variant = variant?.lowercased()
        switch result.architecture {
        case "i386", "i486", "i586", "i686", "x86": result.architecture = "386"
        case "x86_64", "x86-64", "amd64":
            result.architecture = "amd64"
            if result.variant == "v1" { result.variant = nil }
        case "aarch64", "arm64":
            result.architecture = "arm64"
            if result.variant == "v8" || result.variant == "8" { result.variant = nil }
        case "armhf":
            result.architecture = "arm"
            result.variant = "v7"
        case "armel":
            result.architecture = "arm"
            result.variant = "v6"
        case "arm":
            result.variant = result.variant.map { $0.hasPrefix("v") ? $0 : "v" + $0 } ?? "v7"
        default:
            break
        }
        return result
    }

    /// Whether an image for `candidate` serves a request for this platform: same OS and
    /// architecture, and the same variant when one was asked for.
    public func matches(_ candidate: Platform) -> Bool {
        let wanted = normalized, offered = candidate.normalized
        return wanted.os == offered.os && wanted.architecture == offered.architecture
            && (variant == nil || wanted.variant == offered.variant)
    }

    /// `linux/arm64`, `linux/arm/v7`: as Docker prints a platform.
    public var formatted: String {
        [os, architecture, variant].compactMap { $0 }.joined(separator: "/")
    }
}
