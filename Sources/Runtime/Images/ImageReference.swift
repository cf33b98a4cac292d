/// An image reference as Docker reads one: `busybox`, `busybox:1.36`, `myreg:5000/team/app:v2`,
/// `busybox@sha256:…`. Normalized as Docker does: no registry means Docker Hub (`docker.io`),
/// a one-part Hub name lives under `library/`, and no tag and no digest means `latest`.
public struct ImageReference: Hashable, Comparable, CustomStringConvertible, Sendable {
    /// `docker.io`, `localhost:5000`, `registry.example.com`.
    public var domain: String
    /// The repository path inside the registry: `library/busybox`, `team/app`.
    public var path: String
    public var tag: String?
    public var digest: Digest?

    public static let defaultDomain = "docker.io"
    public static let defaultTag = "latest"

    public init(domain: String, path: String, tag: String?, digest: Digest?) {
        self.domain = domain
        self.path = path
        self.tag = tag
        self.digest = digest
    }

    public init(parsing text: String) throws {
        func invalid(_ why: String) -> RuntimeError {
            RuntimeError("invalid reference format \(quoted(text)): \(why)")
        }
        guard !text.isEmpty else { throw invalid("empty") }
        var rest = Substring(text)
        var digest: Digest?
        if let at = rest.lastIndex(of: "@") {
            digest = try? Digest(parsing: String(rest[rest.index(after: at)...]))
            guard digest != nil else { throw invalid("the digest must be sha256: and 64 lower-case hex digits") }
            rest = rest[..<at]
        }
        // A tag is after the last colon, if that colon comes after the last slash (else it is a port).
        var tag: String?
        if let colon = rest.lastIndex(of: ":"), !rest[colon...].contains("/") {
            tag = String(rest[rest.index(after: colon)...])
            rest = rest[..<colon]
            guard Self.isValidTag(tag!) else { throw invalid("a tag is 1 to 128 of letters, digits, _ . - (not starting with . or -)") }
        }
        guard !rest.isEmpty, rest.count <= 255 else { throw invalid("the repository name must be 1 to 255 characters") }
        let split = Self.splitDomain(String(rest))
        var domain = split.domain ?? Self.defaultDomain
        var name = split.remainder
        if domain == "index.docker.io" { domain = Self.defaultDomain }
        if domain == Self.defaultDomain && !name.contains("/") { name = "library/" + name }
        guard name == name.lowercased() else { throw invalid("repository name must be lowercase") }
        guard name.split(separator: "/", omittingEmptySubsequences: false).allSatisfy(Self.isValidPathComponent) else {
            throw invalid("a repository name is lower-case letters and digits, separated by / . _ __ or -")
        }
        guard Self.isValidDomain(domain) else { throw invalid("invalid registry \(quoted(domain))") }
        self.init(domain: domain, path: name, tag: tag ?? (digest == nil ? Self.defaultTag : nil), digest: digest)
    }

    /// `docker.io/library/busybox:latest`: the full, normalized form used as a key.
    public var description: String {
        var text = "\(domain)/\(path)"
        if let tag { text += ":\(tag)" }
        if let digest { text += "@\(digest)" }
        return text
    }

    /// The repository as `docker images` shows it: `busybox`, `team/app`, `localhost:5000/app`.
    public var familiarRepository: String {
        guard domain == Self.defaultDomain else { return "\(domain)/\(path)" }
        return path.hasPrefix("library/") ? String(path.dropFirst("library/".count)) : path
    }

    /// The same repository with another tag.
    public func withTag(_ tag: String) -> ImageReference {
        ImageReference(domain: domain, path: path, tag: tag, digest: nil)
    }

    public static func < (lhs: ImageReference, rhs: ImageReference) -> Bool { lhs.description < rhs.description }

    static func isValidTag(_ tag: String) -> Bool {
        guard let first = tag.first, tag.count <= 128, first != ".", first != "-" else { return false }
        return tag.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "." || $0 == "-") }
    }

    /// `[a-z0-9]+` joined by `.`, `_`, `__` or runs of `-`.
    static func isValidPathComponent(_ component: Substring) -> Bool {
        guard let first = component.first, let last = component.last,
              first.isLowercaseAlphanumeric, last.isLowercaseAlphanumeric else { return false }
        var separator = ""
        for character in component {
            if character.isLowercaseAlphanumeric {
                guard separator.isEmpty || separator == "." || separator == "_" || separator == "__"
                        || separator.allSatisfy({ $0 == "-" }) else { return false }
                separator = ""
            } else if character == "." || character == "_" || character == "-" {
                separator.append(character)
            } else {
                return false
            }
        }
        return true
    }

    static func isValidDomain(_ domain: String) -> Bool {
        let parts = domain.split(separator: ":", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), !parts[0].isEmpty else { return false }
        if parts.count == 2 { guard let port = Int(parts[1]), (1...65535).contains(port) else { return false } }
        return parts[0].split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            !label.isEmpty && label.first != "-" && label.last != "-"
                && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        }
    }
}

private extension Character {
    var isLowercaseAlphanumeric: Bool { isASCII && (isNumber || (isLetter && isLowercase)) }
}
