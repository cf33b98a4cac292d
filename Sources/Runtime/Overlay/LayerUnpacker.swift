import CArchive
#if canImport(Glibc)
import Glibc
#endif
import SystemPackage

/// Unpack a layer tarball (plain, gzip or zstd) into a directory overlayfs can use as a
/// lower layer: files with their owners, modes, times, xattrs, links and device nodes, and
/// OCI whiteouts converted to overlay's (Whiteout.swift).
///
/// Nothing may land outside `directory`: names with `..` or a leading `/` and hard links
/// leading out are refused, and libarchive refuses to write through a symlink
/// (ARCHIVE_EXTRACT_SECURE_SYMLINKS) — otherwise a layer could plant `etc -> /etc` and
/// then write `etc/passwd` on the host.
public enum LayerUnpacker {
    public struct Summary: Equatable, Sendable {
        public var entries = 0
        public var whiteouts = 0
        public var opaqueDirectories = 0
    }

    /// With `convertWhiteouts: false` the same safe extraction for any tarball (an image
    /// archive for `load`), `.wh.` names left as they are.
    @discardableResult
    public static func unpack(_ tarball: FilePath, into directory: FilePath, convertWhiteouts: Bool = true) throws -> Summary {
        try Directories.create(directory)
        let limit = try ExpansionLimit(compressed: tarball)
        let root = try realPath(directory)
        // Whiteouts are made by us, not libarchive: inside the layer, no symlink followed.
        let layer = try RootDirectory(root, symlinks: .refuse)
        guard let reader = archive_read_new() else { throw RuntimeError("layer \(quoted(tarball.string)): out of memory") }
        defer { archive_read_free(reader) }
        archive_read_support_filter_all(reader)
        archive_read_support_format_tar(reader)
        let kind = convertWhiteouts ? "layer" : "archive"
        guard archive_read_open_filename(reader, tarball.string, 64 * 1024) == ARCHIVE_OK else {
            throw archiveError(reader, tarball, kind: kind)
        }
        guard let writer = archive_write_disk_new() else { throw RuntimeError("layer \(quoted(tarball.string)): out of memory") }
        defer { archive_write_free(writer) }
        let flags = ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_OWNER | ARCHIVE_EXTRACT_XATTR
            | ARCHIVE_EXTRACT_SECURE_SYMLINKS | ARCHIVE_EXTRACT_SECURE_NODOTDOT | ARCHIVE_EXTRACT_UNLINK
        archive_write_disk_set_options(writer, flags)

        var summary = Summary()
        var logicalBytes: Int64 = 0
        var entry: OpaquePointer?
        while true {
            let status = archive_read_next_header(reader, &entry)
            if status == ARCHIVE_EOF { break }
            guard status == ARCHIVE_OK || status == ARCHIVE_WARN, let entry else { throw archiveError(reader, tarball, kind: kind) }
            summary.entries += 1
            // Bytes the entries say they have, holes of sparse members included (they are read
            // back as zeros later), against the limit: a bomb is stopped as it expands.
            logicalBytes += max(0, archive_entry_size(entry))
            try limit.check(max(archive_filter_bytes(reader, 0), logicalBytes), "\(kind) \(quoted(tarball.string))")

            let name = String(cString: archive_entry_pathname(entry))
            let relative = try safeRelativePath(name, in: tarball)
            if relative.isEmpty { continue }  // the layer's own "./"
            let base = relative.split(separator: "/").last.map(String.init) ?? relative
            let parent = relative.contains("/") ? String(relative[..<relative.lastIndex(of: "/")!]) : ""

            do {
                if convertWhiteouts && base == Whiteout.opaqueMarker {
                    try Whiteout.markOpaque(parent, in: layer)
                    summary.opaqueDirectories += 1
                    continue
                }
                if convertWhiteouts && base.hasPrefix(Whiteout.prefix) {
                    let deleted = String(base.dropFirst(Whiteout.prefix.count))
                    guard !deleted.isEmpty, deleted != ".", deleted != ".." else {
                        throw RuntimeError("whiteout names nothing")
                    }
                    try Whiteout.create(parent.isEmpty ? deleted : parent + "/" + deleted, in: layer)
                    summary.whiteouts += 1
                    continue
                }
                // libarchive refuses to write through a symlink too (SECURE_SYMLINKS); checking
                // the parent here gives one message for both. A parent not made yet is fine:
                // libarchive makes it.
                if !parent.isEmpty, let fd = try existing({ try layer.openDirectory(parent) }) { close(fd) }
            } catch let error as RuntimeError {
                throw RuntimeError("\(kind) \(quoted(tarball.string)): entry \(quoted(name)): \(error.message)")
            }
            if let link = archive_entry_hardlink(entry) {
                let target = try safeRelativePath(String(cString: link), in: tarball)
                // A hard link's target must be a file this layer already has, reached without a symlink.
                guard let info = layer.status(target), info.st_mode & S_IFMT != S_IFDIR else {
                    throw RuntimeError("\(kind) \(quoted(tarball.string)): entry \(quoted(name)): hard link target \(quoted(target)) is not a file of the layer")
                }
                archive_entry_set_hardlink(entry, root.appending(target).string)
            }

            archive_entry_set_pathname(entry, root.appending(relative).string)
            guard archive_write_header(writer, entry) >= ARCHIVE_WARN else { throw archiveError(writer, tarball) }
            if archive_entry_size(entry) > 0 { try copyData(from: reader, to: writer, tarball, limit: limit) }
            guard archive_write_finish_entry(writer) >= ARCHIVE_WARN else { throw archiveError(writer, tarball) }
        }
        Trace.emit("unpack(\(quoted(tarball.string)), \(quoted(directory.string))) = \(summary.entries) entries, \(summary.whiteouts) whiteouts, \(summary.opaqueDirectories) opaque")
        return summary
    }

    /// `open`'s descriptor, or nil when the path does not exist (yet).
    private static func existing(_ open: () throws -> Int32) throws -> Int32? {
        do { return try open() } catch let error as RuntimeError where error.errno == .noSuchFileOrDirectory { return nil }
    }

    /// A tar member's name as a path inside the layer: `./a/b` and `a/b/` become `a/b`.
    /// `..` components and absolute names are refused, not repaired: a layer that has them
    /// was made to attack, or is broken.
    static func safeRelativePath(_ name: String, in tarball: FilePath) throws -> String {
        if name.hasPrefix("/") {
            throw RuntimeError("layer \(quoted(tarball.string)): entry \(quoted(name)) has an absolute path")
        }
        let components = name.split(separator: "/").filter { $0 != "." }
        if components.contains("..") {
            throw RuntimeError("layer \(quoted(tarball.string)): entry \(quoted(name)) leads outside the layer")
        }
        return components.joined(separator: "/")
    }

    private static func copyData(from reader: OpaquePointer, to writer: OpaquePointer, _ tarball: FilePath,
                                 limit: ExpansionLimit) throws {
        var buffer: UnsafeRawPointer?
        var size = 0
        var offset: Int64 = 0
        while true {
            let status = archive_read_data_block(reader, &buffer, &size, &offset)
            if status == ARCHIVE_EOF { return }
            guard status >= ARCHIVE_WARN else { throw archiveError(reader, tarball) }
            guard archive_write_data_block(writer, buffer, size, offset) >= ARCHIVE_WARN else {
                throw archiveError(writer, tarball)
            }
            try limit.check(archive_filter_bytes(reader, 0), "layer \(quoted(tarball.string))")
        }
    }

    static func archiveError(_ archive: OpaquePointer, _ tarball: FilePath, kind: String = "layer") -> RuntimeError {
        let message = archive_error_string(archive).map { String(cString: $0) } ?? "unreadable archive"
        return RuntimeError("\(kind) \(quoted(tarball.string)): \(message.lowercasedFirst)")
    }

    static func realPath(_ path: FilePath) throws -> FilePath {
        guard let resolved = realpath(path.string, nil) else {
            throw RuntimeError(call: "realpath", subject: quoted(path.string), errno: Errno(rawValue: errno))
        }
        defer { free(resolved) }
        return FilePath(String(cString: resolved))
    }
}
