#if canImport(Glibc)
import Glibc
#endif
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

    /// `rm -rf`, without following symlinks out of the tree.
    public static func remove(_ root: FilePath) throws {
        var info = stat()
        guard lstat(root.string, &info) == 0 else { return }
        if info.st_mode & S_IFMT == S_IFDIR {
            for name in try Directories.entries(root) { try remove(root.appending(name)) }
            try Syscall.call("rmdir", [quoted(root.string)], subject: quoted(root.string), traced: false) { rmdir(root.string) }
        } else {
            try Syscall.call("unlink", [quoted(root.string)], subject: quoted(root.string), traced: false) { unlink(root.string) }
        }
    }
}
