#if canImport(Glibc)
import Glibc
#endif
import SystemPackage

/// How far a compressed layer or archive may expand before it is refused as a decompression
/// bomb: a 14 MB gzip of zeros is gigabytes of tar, and nothing else would stop it.
///
/// Real layers compress 2 to 10 times; zeros compress about 1000 times. The bound is the
/// larger of a floor (small layers are never refused) and `maximumRatio` times the compressed
/// size — unless `MINIDOCK_MAX_LAYER_SIZE` is set (bytes, or with a k/m/g suffix): then that is
/// the limit, lower for a host that wants one, higher for an image that really is that sparse.
public struct ExpansionLimit: Sendable {
    public static let maximumRatio: Int64 = 200
    public static let floor: Int64 = 64 * 1024 * 1024

    /// The most bytes the expanded data may have.
    public let bytes: Int64
    /// What the error says the limit came from.
    let reason: String

    /// The limit for data whose compressed form is `compressedSize` bytes.
    public init(compressedSize: Int64) throws {
        let ratioBound = compressedSize > Int64.max / Self.maximumRatio ? Int64.max : compressedSize * Self.maximumRatio
        var bytes = max(Self.floor, ratioBound)
        var reason = "more than \(Self.maximumRatio) times its compressed size"
        if let configured = getenv("MINIDOCK_MAX_LAYER_SIZE").map({ String(cString: $0) }), !configured.isEmpty {
            // Docker's size syntax, the one `--memory` takes (`512m`, `2g`).
            guard let limit = try? DockerResourceFlags.bytes(configured, flag: "MINIDOCK_MAX_LAYER_SIZE"), limit > 0 else {
                throw RuntimeError("MINIDOCK_MAX_LAYER_SIZE \(quoted(configured)): not a size (bytes, or a number with k, m or g)")
            }
            bytes = limit
            reason = "over MINIDOCK_MAX_LAYER_SIZE"
        }
        self.bytes = bytes
        self.reason = reason
    }

    /// The limit for a file on disk, from the bytes it really holds: a sparse file (a hole of a
    /// gigabyte in a 10 kB archive) is as small as its allocated blocks, not its length.
    public init(compressed file: FilePath) throws {
        var info = stat()
        guard stat(file.string, &info) == 0 else {
            throw RuntimeError(call: "stat", subject: quoted(file.string), errno: Errno(rawValue: errno))
        }
        try self.init(compressedSize: min(Int64(info.st_size), Int64(info.st_blocks) * 512))
    }

    /// Throw once `expanded` bytes have come out of `what`.
    public func check(_ expanded: Int64, _ what: String) throws {
        guard expanded > bytes else { return }
        throw RuntimeError("\(what): expands to \(reason) (\(bytes / 1_048_576) MiB): refused as a decompression bomb; MINIDOCK_MAX_LAYER_SIZE sets another limit")
    }
}
