import CArchive
#if canImport(Glibc)
import Glibc
#endif
import SystemPackage

/// gzip, the one compression every registry and client takes: `push` compresses a layer that
/// the store has only as a plain tar (an imported or loaded image), as Docker does.
public enum Compressor {
    /// Write `source` gzip-compressed to `destination` (a new file), a buffer at a time.
    public static func gzip(_ source: FilePath, to destination: FilePath) throws {
        guard let writer = archive_write_new() else { throw RuntimeError("compress \(quoted(source.string)): out of memory") }
        defer { archive_write_free(writer) }
        // The raw format writes the data of one entry and nothing else: a plain .gz stream.
        archive_write_add_filter_gzip(writer)
        archive_write_set_format_raw(writer)
        // No name and no time in the gzip header, so the same layer compresses to the same bytes.
        archive_write_set_filter_option(writer, "gzip", "timestamp", nil)
        // libarchive pads the last block with zeros by default; a registry's gzip reader would
        // take the padding for a second, broken member.
        archive_write_set_bytes_in_last_block(writer, 1)
        guard archive_write_open_filename(writer, destination.string) == ARCHIVE_OK else {
            throw LayerUnpacker.archiveError(writer, destination, kind: "compress")
        }
        let input = try Syscall.call("open", [quoted(source.string), "O_RDONLY"], subject: quoted(source.string), traced: false) {
            open(source.string, O_RDONLY | O_CLOEXEC)
        }
        defer { close(input) }
        var info = stat()
        fstat(input, &info)
        guard let entry = archive_entry_new() else { throw RuntimeError("compress \(quoted(source.string)): out of memory") }
        defer { archive_entry_free(entry) }
        archive_entry_set_pathname(entry, "layer.tar")
        archive_entry_set_filetype(entry, 0o100000)  // AE_IFREG
        archive_entry_set_size(entry, Int64(info.st_size))
        guard archive_write_header(writer, entry) == ARCHIVE_OK else {
            throw LayerUnpacker.archiveError(writer, destination, kind: "compress")
        }
        var buffer = [UInt8](repeating: 0, count: 256 * 1024)
        try buffer.withUnsafeMutableBytes { raw in
            while true {
                let count = try Syscall.call("read", [], subject: quoted(source.string), traced: false) { read(input, raw.baseAddress, raw.count) }
                if count == 0 { break }
                guard archive_write_data(writer, raw.baseAddress, count) == count else {
                    throw LayerUnpacker.archiveError(writer, destination, kind: "compress")
                }
            }
        }
        guard archive_write_close(writer) == ARCHIVE_OK else { throw LayerUnpacker.archiveError(writer, destination, kind: "compress") }
    }
}
