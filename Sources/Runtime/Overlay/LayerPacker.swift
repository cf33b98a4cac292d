import CArchive
#if canImport(Glibc)
import Glibc
#endif
import SystemPackage

/// Turn a directory — an overlay upper dir, or a rootfs — into an OCI layer tarball, the
/// reverse of LayerUnpacker: overlay whiteouts become `.wh.NAME` entries and opaque
/// directories get a `.wh..wh..opq` entry. Used by Lesson05 and later by `commit`/`export`.
public enum LayerPacker {
    public static func pack(_ directory: FilePath, to tarball: FilePath, createDirectory: FilePath? = nil) throws {
        if let createDirectory { try Directories.create(createDirectory) }
        guard let writer = archive_write_new() else { throw RuntimeError("layer \(quoted(tarball.string)): out of memory") }
        defer { archive_write_free(writer) }
        // pax: long names, big files, xattrs — what OCI image tools write and read.
        archive_write_set_format_pax_restricted(writer)
        guard archive_write_open_filename(writer, tarball.string) == ARCHIVE_OK else {
            throw LayerUnpacker.archiveError(writer, tarball)
        }
        guard let disk = archive_read_disk_new() else { throw RuntimeError("layer \(quoted(tarball.string)): out of memory") }
        defer { archive_read_free(disk) }
        archive_read_disk_set_standard_lookup(disk)

        // Hard links: the second path to an inode is written as a link to the first.
        var firstPathOfInode: [String: String] = [:]
        var count = 0
        try TreeWalk.walk(directory) { item in
            count += 1
            if Whiteout.isWhiteout(item.info) {
                let parent = item.relativePath.contains("/") ? String(item.relativePath[..<item.relativePath.lastIndex(of: "/")!]) + "/" : ""
                let name = item.relativePath.split(separator: "/").last.map(String.init) ?? item.relativePath
                try writeMarker(parent + Whiteout.prefix + name, writer, tarball)
                return false
            }
            guard let entry = archive_entry_new() else { throw RuntimeError("layer \(quoted(tarball.string)): out of memory") }
            defer { archive_entry_free(entry) }
            archive_entry_copy_sourcepath(entry, item.path.string)
            var info = item.info
            guard archive_read_disk_entry_from_file(disk, entry, -1, &info) == ARCHIVE_OK else {
                throw LayerUnpacker.archiveError(disk, tarball)
            }
            archive_entry_set_pathname(entry, item.relativePath)
            removeOverlayAttributes(entry)
            let isRegular = item.info.st_mode & S_IFMT == S_IFREG
            let inode = "\(item.info.st_dev):\(item.info.st_ino)"
            if isRegular && item.info.st_nlink > 1 {
                if let first = firstPathOfInode[inode] {
                    archive_entry_set_hardlink(entry, first)
                    archive_entry_set_size(entry, 0)
                } else {
                    firstPathOfInode[inode] = item.relativePath
                }
            }
            guard archive_write_header(writer, entry) >= ARCHIVE_WARN else { throw LayerUnpacker.archiveError(writer, tarball) }
            if isRegular && archive_entry_size(entry) > 0 { try TarWriter.writeData(of: item.path, to: writer, archive: tarball) }
            if item.isDirectory && Whiteout.isOpaque(item.path) {
                try writeMarker(item.relativePath + "/" + Whiteout.opaqueMarker, writer, tarball)
            }
            return true
        }
        guard archive_write_close(writer) == ARCHIVE_OK else { throw LayerUnpacker.archiveError(writer, tarball) }
        Trace.emit("pack(\(quoted(directory.string)), \(quoted(tarball.string))) = \(count) entries")
    }

    /// An empty regular file: how the OCI spells a whiteout or an opaque marker.
    private static func writeMarker(_ path: String, _ writer: OpaquePointer, _ tarball: FilePath) throws {
        guard let entry = archive_entry_new() else { throw RuntimeError("layer \(quoted(tarball.string)): out of memory") }
        defer { archive_entry_free(entry) }
        archive_entry_set_pathname(entry, path)
        archive_entry_set_filetype(entry, 0o100000)  // AE_IFREG, the same value as S_IFREG
        archive_entry_set_perm(entry, 0o644)
        archive_entry_set_size(entry, 0)
        guard archive_write_header(writer, entry) >= ARCHIVE_WARN else { throw LayerUnpacker.archiveError(writer, tarball) }
    }

    /// overlay's own bookkeeping (trusted.overlay.*) is not part of the layer's content.
    private static func removeOverlayAttributes(_ entry: OpaquePointer) {
        var kept: [(String, [UInt8])] = []
        archive_entry_xattr_reset(entry)
        var name: UnsafePointer<CChar>?
        var value: UnsafeRawPointer?
        var size = 0
        while archive_entry_xattr_next(entry, &name, &value, &size) == ARCHIVE_OK {
            guard let name else { continue }
            let key = String(cString: name)
            if key.hasPrefix("trusted.overlay.") { continue }
            kept.append((key, value.map { Array(UnsafeRawBufferPointer(start: $0, count: size)) } ?? []))
        }
        archive_entry_xattr_clear(entry)
        for (key, bytes) in kept {
            bytes.withUnsafeBytes { archive_entry_xattr_add_entry(entry, key, $0.baseAddress, $0.count) }
        }
    }
}
