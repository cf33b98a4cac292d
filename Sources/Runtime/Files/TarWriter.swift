import CArchive
#if canImport(Glibc)
import Glibc
#endif
import SystemPackage

/// Writing an archive of named entries (an image archive for `save`), with libarchive.
public final class TarWriter {
    private let writer: OpaquePointer
    private let output: FilePath
    private var closed = false

    public init(_ output: FilePath) throws {
        guard let writer = archive_write_new() else { throw RuntimeError("archive \(quoted(output.string)): out of memory") }
        self.writer = writer
        self.output = output
        archive_write_set_format_pax_restricted(writer)
        guard archive_write_open_filename(writer, output.string) == ARCHIVE_OK else {
            // Every property is set, so deinit runs after this throw and frees the writer:
            // freeing it here too would free it twice.
            closed = true
            throw LayerUnpacker.archiveError(writer, output)
        }
    }

    deinit {
        if !closed { archive_write_close(writer) }
        archive_write_free(writer)
    }

    public func addDirectory(_ name: String) throws {
        try header(name, type: 0o040000, size: 0, mode: 0o755)
    }

    public func add(_ name: String, bytes: [UInt8]) throws {
        try header(name, type: 0o100000, size: Int64(bytes.count), mode: 0o644)
        if !bytes.isEmpty {
            guard bytes.withUnsafeBytes({ archive_write_data(writer, $0.baseAddress, $0.count) }) == bytes.count else {
                throw LayerUnpacker.archiveError(writer, output)
            }
        }
    }

    public func add(_ name: String, file: FilePath) throws {
        var info = stat()
        guard stat(file.string, &info) == 0 else {
            throw RuntimeError(call: "stat", subject: quoted(file.string), errno: Errno(rawValue: errno))
        }
        try header(name, type: 0o100000, size: Int64(info.st_size), mode: 0o644)
        try Self.writeData(of: file, to: writer, archive: output)
    }

    /// Stream a file's bytes into the current entry of `writer` (LayerPacker uses it too).
    static func writeData(of file: FilePath, to writer: OpaquePointer, archive: FilePath) throws {
        let fd = try Syscall.call("open", [quoted(file.string), "O_RDONLY"], subject: quoted(file.string), traced: false) {
            open(file.string, O_RDONLY | O_CLOEXEC)
        }
        defer { Glibc.close(fd) }
        var buffer = [UInt8](repeating: 0, count: 256 * 1024)
        while true {
            let count = try Syscall.call("read", [], subject: quoted(file.string), traced: false) {
                buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            }
            if count == 0 { return }
            guard buffer.withUnsafeBytes({ archive_write_data(writer, $0.baseAddress, count) }) == count else {
                throw LayerUnpacker.archiveError(writer, archive)
            }
        }
    }

    public func close() throws {
        closed = true
        guard archive_write_close(writer) == ARCHIVE_OK else { throw LayerUnpacker.archiveError(writer, output) }
    }

    private func header(_ name: String, type: UInt32, size: Int64, mode: UInt32) throws {
        guard let entry = archive_entry_new() else { throw RuntimeError("archive \(quoted(output.string)): out of memory") }
        defer { archive_entry_free(entry) }
        archive_entry_set_pathname(entry, name)
        archive_entry_set_filetype(entry, type)  // AE_IFREG / AE_IFDIR: the S_IF* values
        archive_entry_set_perm(entry, mode)
        archive_entry_set_size(entry, size)
        archive_entry_set_mtime(entry, time(nil), 0)
        guard archive_write_header(writer, entry) >= ARCHIVE_WARN else { throw LayerUnpacker.archiveError(writer, output) }
    }
}
