import CArchive
#if canImport(Glibc)
import Glibc
#endif
import SystemPackage

/// Layer blobs come gzip- or zstd-compressed, or plain. The store keeps layers as plain tar,
/// whose sha256 is the layer's diff ID in the image config: one digest to verify against.
public enum Decompressor {
    public enum Compression: String, Sendable { case none, gzip, zstd }

    /// Sniff the first bytes: gzip starts 1f 8b, zstd 28 b5 2f fd.
    public static func compression(of path: FilePath) throws -> Compression {
        let head = try readPrefix(path, count: 4)
        if head.starts(with: [0x1f, 0x8b]) { return .gzip }
        if head.starts(with: [0x28, 0xb5, 0x2f, 0xfd]) { return .zstd }
        return .none
    }

    /// Write the decompressed bytes of `source` to `destination`, hashing as it goes.
    /// Refused past `ExpansionLimit` (a decompression bomb), and before it starts when the
    /// size gzip records for its data cannot fit on the disk.
    public static func decompress(_ source: FilePath, to destination: FilePath) throws -> (digest: Digest, size: Int64) {
        let limit = try ExpansionLimit(compressed: source)
        if let expected = try expectedSize(source) {
            try limit.check(expected, "layer \(quoted(source.string))")
            try FreeSpace.require(expected, for: "layer \(quoted(source.string))", in: destination.removingLastComponent())
        }
        guard let reader = archive_read_new() else { throw RuntimeError("decompress \(quoted(source.string)): out of memory") }
        defer { archive_read_free(reader) }
        archive_read_support_filter_all(reader)
        archive_read_support_format_raw(reader)
        guard archive_read_open_filename(reader, source.string, 256 * 1024) == ARCHIVE_OK else {
            throw LayerUnpacker.archiveError(reader, source)
        }
        var entry: OpaquePointer?
        guard archive_read_next_header(reader, &entry) == ARCHIVE_OK else { throw LayerUnpacker.archiveError(reader, source) }
        let fd = try Syscall.call("open", [quoted(destination.string), "O_WRONLY|O_CREAT|O_EXCL"], subject: quoted(destination.string), traced: false) {
            open(destination.string, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        }
        defer { close(fd) }
        var hasher = SHA256Hasher()
        var size: Int64 = 0
        var buffer = [UInt8](repeating: 0, count: 256 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { archive_read_data(reader, $0.baseAddress, $0.count) }
            if count == 0 { break }
            guard count > 0 else { throw LayerUnpacker.archiveError(reader, source) }
            try buffer.withUnsafeBytes { raw in
                let chunk = UnsafeRawBufferPointer(rebasing: raw[..<count])
                hasher.update(chunk)
                var offset = 0
                while offset < count {
                    let written = try Syscall.call("write", [], subject: quoted(destination.string), traced: false) {
                        write(fd, chunk.baseAddress! + offset, count - offset)
                    }
                    offset += written
                }
            }
            size += Int64(count)
            try limit.check(size, "layer \(quoted(source.string))")
        }
        return (hasher.finish(), size)
    }

    /// What gzip's trailer says the data's size is (ISIZE: the size modulo 2³², so a hint: it
    /// is exact below 4 GiB for a single-member file, which is what layers are). nil otherwise.
    static func expectedSize(_ path: FilePath) throws -> Int64? {
        guard try compression(of: path) == .gzip else { return nil }
        let fd = try Syscall.call("open", [quoted(path.string), "O_RDONLY"], subject: quoted(path.string), traced: false) {
            open(path.string, O_RDONLY | O_CLOEXEC)
        }
        defer { close(fd) }
        var trailer = [UInt8](repeating: 0, count: 4)
        let end = lseek(fd, -4, SEEK_END)
        guard end > 0, trailer.withUnsafeMutableBytes({ read(fd, $0.baseAddress, 4) }) == 4 else { return nil }
        return Int64(trailer[0]) | Int64(trailer[1]) << 8 | Int64(trailer[2]) << 16 | Int64(trailer[3]) << 24
    }

    static func readPrefix(_ path: FilePath, count: Int) throws -> [UInt8] {
        let fd = try Syscall.call("open", [quoted(path.string), "O_RDONLY"], subject: quoted(path.string), traced: false) {
            open(path.string, O_RDONLY | O_CLOEXEC)
        }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: count)
        let got = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress, count) }
        return Array(bytes.prefix(max(0, got)))
    }
}
