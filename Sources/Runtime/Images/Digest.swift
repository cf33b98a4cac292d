import CCrypto
#if canImport(Glibc)
import Glibc
#endif
import SystemPackage

/// A content digest, `sha256:<64 hex>`: the name of a blob in an image store and registry.
/// Content addressing means a blob's name *is* a claim about its bytes, checked on every write.
public struct Digest: Hashable, Codable, Comparable, CustomStringConvertible, Sendable {
    public let algorithm: String
    public let hex: String

    public init(sha256 hex: String) {
        self.algorithm = "sha256"
        self.hex = hex
    }

    /// Parse `sha256:…`; anything else (another algorithm, wrong length, upper case) is refused.
    public init(parsing text: String) throws {
        let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
        guard parts.count == 2, parts[0] == "sha256", parts[1].count == 64,
              parts[1].allSatisfy({ $0.isHexDigit && !$0.isUppercase }) else {
            throw RuntimeError("invalid digest \(quoted(text)): expected sha256: and 64 lower-case hex digits")
        }
        self.init(sha256: parts[1])
    }

    public var description: String { "\(algorithm):\(hex)" }
    /// The 12-character form Docker shows in IMAGE ID columns.
    public var short: String { String(hex.prefix(12)) }

    public static func < (lhs: Digest, rhs: Digest) -> Bool { lhs.description < rhs.description }

    public init(from decoder: Decoder) throws {
        try self.init(parsing: try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    public static func of(_ bytes: [UInt8]) -> Digest {
        var hasher = SHA256Hasher()
        hasher.update(bytes)
        return hasher.finish()
    }

    /// The digest of a file's bytes, read in chunks.
    public static func of(file path: FilePath) throws -> (digest: Digest, size: Int64) {
        let fd = try Syscall.call("open", [quoted(path.string), "O_RDONLY|O_CLOEXEC"], subject: quoted(path.string), traced: false) {
            open(path.string, O_RDONLY | O_CLOEXEC)
        }
        defer { close(fd) }
        var hasher = SHA256Hasher()
        var buffer = [UInt8](repeating: 0, count: 256 * 1024)
        var size: Int64 = 0
        while true {
            let count = try Syscall.call("read", [], subject: quoted(path.string), traced: false) {
                buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            }
            if count == 0 { break }
            hasher.update(buffer[..<count])
            size += Int64(count)
        }
        return (hasher.finish(), size)
    }
}

/// Streaming SHA-256 (OpenSSL's EVP interface), for hashing while a blob is written.
public struct SHA256Hasher {
    private let context: OpaquePointer

    public init() {
        context = EVP_MD_CTX_new()
        EVP_DigestInit_ex(context, EVP_sha256(), nil)
    }

    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { _ = EVP_DigestUpdate(context, $0.baseAddress, $0.count) }
    }

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        _ = EVP_DigestUpdate(context, bytes.baseAddress, bytes.count)
    }

    public mutating func update(_ bytes: ArraySlice<UInt8>) {
        bytes.withUnsafeBytes { _ = EVP_DigestUpdate(context, $0.baseAddress, $0.count) }
    }

    public func finish() -> Digest {
        var output = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        EVP_DigestFinal_ex(context, &output, &length)
        EVP_MD_CTX_free(context)
        let hex = output.map { byte in
            let text = String(byte, radix: 16)
            return byte < 16 ? "0" + text : text
        }.joined()
        return Digest(sha256: hex)
    }
}
