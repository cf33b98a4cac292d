#if canImport(Glibc)
import Glibc
#endif
import SystemPackage

/// Directory helpers on top of the gate.
public enum Directories {
    /// `mkdir -p`: create `path` and any missing parents. Only the mkdir calls that create
    /// something are traced; directories already there are passed by quietly.
    public static func create(_ path: FilePath, mode: mode_t = 0o755) throws {
        if isDirectory(path) { return }
        var partial = FilePath(path.root?.string ?? "")
        for component in path.components {
            partial.append(component)
            let current = partial.string
            if isDirectory(partial) { continue }
            try Syscall.call("mkdir", [quoted(current), "0" + String(mode, radix: 8)],
                             subject: quoted(current), tolerating: [.fileExists]) {
                mkdir(current, mode)
            }
        }
    }

    /// Take group and other permissions away from an existing directory (made by an older
    /// version, or by hand): chmod only when it is looser than `mode`.
    public static func restrict(_ path: FilePath, to mode: mode_t) throws {
        var info = stat()
        guard lstat(path.string, &info) == 0, info.st_mode & S_IFMT == S_IFDIR, info.st_mode & 0o777 & ~mode != 0 else { return }
        try Syscall.call("chmod", [quoted(path.string), "0" + String(mode, radix: 8)], subject: quoted(path.string)) {
            chmod(path.string, mode)
        }
    }

    /// Whether `path` is a directory (following symlinks).
    public static func isDirectory(_ path: FilePath) -> Bool {
        var info = stat()
        return stat(path.string, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR
    }

    /// The names in a directory, without `.` and `..`.
    public static func entries(_ path: FilePath) throws -> [String] {
        let fd = try Syscall.call("open", [quoted(path.string), "O_RDONLY|O_DIRECTORY"], subject: quoted(path.string), traced: false) {
            open(path.string, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        }
        return try entries(descriptor: fd, named: path.string)
    }

    /// The names in the directory open on `descriptor`, which this takes over and closes.
    public static func entries(descriptor: Int32, named name: String) throws -> [String] {
        guard let directory = fdopendir(descriptor) else {
            let error = Errno(rawValue: errno)
            close(descriptor)
            throw RuntimeError(call: "fdopendir", subject: quoted(name), errno: error)
        }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }
}
