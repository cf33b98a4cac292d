#if canImport(Glibc)
import Glibc
#endif
import SystemPackage

/// Whole-file reads and writes through the syscall gate (no Foundation on the start path).
public enum FileContents {
    /// `traced: false` for bulk reads (fingerprinting a tree) that would drown the trace.
    public static func read(_ path: FilePath, traced: Bool = true) throws -> [UInt8] {
        let fd = try Syscall.call("open", [quoted(path.string), "O_RDONLY|O_CLOEXEC"],
                                  subject: quoted(path.string), traced: traced) {
            open(path.string, O_RDONLY | O_CLOEXEC)
        }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            // The open line names the file; each read of it would only add noise to the trace.
            let count = try Syscall.call("read", ["\(fd)", "…", "\(buffer.count)"], subject: quoted(path.string), traced: false) {
                buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            }
            if count == 0 { return bytes }
            bytes.append(contentsOf: buffer[..<count])
        }
    }

    public static func readString(_ path: FilePath) throws -> String {
        String(decoding: try read(path), as: UTF8.self)
    }

    /// Write `bytes` to a new file, creating its parent directories.
    public static func write(_ bytes: [UInt8], to path: FilePath, createDirectories: Bool, mode: mode_t = 0o644) throws {
        if createDirectories { try Directories.create(path.removingLastComponent()) }
        try write(bytes, to: path, create: true, mode: mode)
    }

    /// Write `bytes` to an existing file (a cgroup or /proc control file) or create it.
    public static func write(_ bytes: [UInt8], to path: FilePath, create: Bool = false, mode: mode_t = 0o644) throws {
        let flags = O_WRONLY | O_CLOEXEC | (create ? O_CREAT | O_TRUNC : 0)
        // The write line names the file and the value; the open before it is not traced.
        let fd = try Syscall.call("open", [quoted(path.string), create ? "O_WRONLY|O_CREAT|O_TRUNC" : "O_WRONLY"],
                                  subject: quoted(path.string), traced: false) {
            open(path.string, flags, mode)
        }
        defer { close(fd) }
        try write(bytes, to: fd, named: path.string)
    }

    /// Write all of `bytes` to an open descriptor; `name` is the file's name for the trace.
    public static func write(_ bytes: [UInt8], to fd: Int32, named name: String) throws {
        var offset = 0
        while offset < bytes.count {
            let written = try Syscall.call("write", [quoted(name), quoted(String(decoding: bytes, as: UTF8.self))],
                                           subject: quoted(name)) {
                bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            }
            offset += written
        }
    }
}
