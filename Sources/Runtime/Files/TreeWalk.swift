#if canImport(Glibc)
import Glibc
#endif
import CShim
import SystemPackage

/// A depth-first walk of a directory tree that never follows symlinks, in sorted order so
/// that what is built from it (a tarball, a diff) is the same every time.
public enum TreeWalk {
    public struct Entry {
        /// Relative to the walk's root, without a leading slash: `etc/hostname`.
        public var relativePath: String
        public var path: FilePath
        public var info: stat

        public var isDirectory: Bool { info.st_mode & S_IFMT == S_IFDIR }
    }

    /// Visit every entry below `root` (not `root` itself). `visit` returns false to skip
    /// a directory's contents.
    public static func walk(_ root: FilePath, _ visit: (Entry) throws -> Bool) throws {
        try walk(root, relative: "", visit)
    }

    private static func walk(_ directory: FilePath, relative: String, _ visit: (Entry) throws -> Bool) throws {
        for name in try Directories.entries(directory).sorted() {
            let path = directory.appending(name)
            var info = stat()
            guard lstat(path.string, &info) == 0 else {
                throw RuntimeError(call: "lstat", subject: quoted(path.string), errno: Errno(rawValue: errno))
            }
            let entry = Entry(relativePath: relative.isEmpty ? name : relative + "/" + name, path: path, info: info)
            if try visit(entry), entry.isDirectory {
                try walk(path, relative: entry.relativePath, visit)
            }
        }
    }

    /// `rm -rf --one-file-system`: never follows a symlink, and never descends into a mount
    /// point (a bind mount or a /proc left in a state directory would otherwise have the host's
    /// files deleted through it) — that is an error, and the mount is left alone.
    ///
    /// It works from directory descriptors (openat, unlinkat), so a directory swapped for a
    /// symlink while the removal runs is not followed either. A missing `root` is fine.
    public static func remove(_ root: FilePath) throws {
        var info = stat()
        guard lstat(root.string, &info) == 0 else { return }
        // Refused before anything is deleted: a mount anywhere below (the kernel's own list;
        // without openat2, a bind mount of the same filesystem is otherwise invisible here).
        if info.st_mode & S_IFMT == S_IFDIR, let resolved = realpath(root.string, nil) {
            let canonical = String(cString: resolved)
            free(resolved)
            if let mount = MountTable.mountPoints().first(where: { $0 == canonical || $0.hasPrefix(canonical + "/") }) {
                throw RuntimeError("remove \(quoted(root.string)): \(quoted(mount)) is a mount point; not removing what is mounted there")
            }
        }
        guard info.st_mode & S_IFMT == S_IFDIR else {
            try Syscall.call("unlink", [quoted(root.string)], subject: quoted(root.string), traced: false,
                             tolerating: [.noSuchFileOrDirectory]) { unlink(root.string) }
            return
        }
        let fd = try Syscall.call("open", [quoted(root.string), "O_RDONLY|O_DIRECTORY|O_NOFOLLOW"], subject: quoted(root.string),
                                  traced: false) { open(root.string, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) }
        try removeContents(of: fd, named: root.string, device: info.st_dev)
        try Syscall.call("rmdir", [quoted(root.string)], subject: quoted(root.string), traced: false,
                         tolerating: [.noSuchFileOrDirectory]) { rmdir(root.string) }
    }

    /// Open the subdirectory `entry` without crossing into another mount. A bind mount of the
    /// same filesystem has the same st_dev, so only the kernel can tell: openat2's
    /// RESOLVE_NO_XDEV fails with EXDEV at any mount point. (Without openat2, st_dev is checked.)
    private static func openBelow(_ directory: Int32, _ entry: String, _ path: String) throws -> Int32 {
        let flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC
        if RootDirectory.openat2Available {
            let fd = cshim_openat2(directory, entry, flags, 0, cshim_resolve_no_xdev | cshim_resolve_no_symlinks)
            if fd >= 0 { return fd }
            if errno == EXDEV { throw RuntimeError("remove \(quoted(path)): a mount point; not removing what is mounted there") }
            if errno != ENOSYS { throw RuntimeError(call: "openat2", subject: quoted(path), errno: Errno(rawValue: errno)) }
        }
        return try Syscall.call("openat", [quoted(path)], subject: quoted(path), traced: false) { openat(directory, entry, flags) }
    }

    /// Empty the directory open on `directory` (taken over and closed), staying on `device`.
    private static func removeContents(of directory: Int32, named name: String, device: dev_t) throws {
        var info = stat()
        guard fstat(directory, &info) == 0, info.st_dev == device else {
            close(directory)
            throw RuntimeError("remove \(quoted(name)): a mount point; not removing what is mounted there")
        }
        let names: [String]
        do {
            names = try Directories.entries(descriptor: try Syscall.call("dup", [], subject: quoted(name), traced: false) { dup(directory) },
                                            named: name)
        } catch {
            close(directory)
            throw error
        }
        defer { close(directory) }
        for entry in names {
            let path = name + "/" + entry
            guard fstatat(directory, entry, &info, AT_SYMLINK_NOFOLLOW) == 0 else { continue }
            if info.st_mode & S_IFMT == S_IFDIR {
                let child = try openBelow(directory, entry, path)
                try removeContents(of: child, named: path, device: device)
                try Syscall.call("unlinkat", [quoted(path), "AT_REMOVEDIR"], subject: quoted(path), traced: false,
                                 tolerating: [.noSuchFileOrDirectory]) { unlinkat(directory, entry, AT_REMOVEDIR) }
            } else {
                try Syscall.call("unlinkat", [quoted(path), "0"], subject: quoted(path), traced: false,
                                 tolerating: [.noSuchFileOrDirectory]) { unlinkat(directory, entry, 0) }
            }
        }
    }
}

/// The mount points of this mount namespace, from /proc/self/mountinfo (field 5, with the
/// kernel's octal escapes for space, tab, newline and backslash undone).
enum MountTable {
    static func mountPoints() -> [String] {
        guard let table = try? FileContents.read("/proc/self/mountinfo", traced: false) else { return [] }
        return table.split(separator: UInt8(ascii: "\n")).compactMap { line in
            let fields = line.split(separator: UInt8(ascii: " "))
            return fields.count > 4 ? unescape(fields[4]) : nil
        }
    }

    static func unescape(_ field: ArraySlice<UInt8>) -> String {
        var bytes: [UInt8] = []
        var index = field.startIndex
        while index < field.endIndex {
            if field[index] == UInt8(ascii: "\\"), index + 3 < field.endIndex,
               let value = UInt8(String(decoding: field[(index + 1)...(index + 3)], as: UTF8.self), radix: 8) {
                bytes.append(value)
                index += 4
            } else {
                bytes.append(field[index])
                index += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
