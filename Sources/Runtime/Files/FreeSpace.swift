#if canImport(Glibc)
import Glibc
#endif
import SystemPackage

/// Free space, checked before a write whose size is known (or can be estimated), so that a
/// layer too big for the disk is refused with a clear line before gigabytes are written —
/// rather than failing with ENOSPC halfway and leaving a full disk behind.
public enum FreeSpace {
    /// Bytes available to an unprivileged writer on the filesystem holding `directory`, or nil.
    public static func available(in directory: FilePath) -> Int64? {
        var info = statvfs()
        guard statvfs(directory.string, &info) == 0 else { return nil }
        return Int64(info.f_bavail) * Int64(info.f_frsize)
    }

    /// Refuse when `bytes` would not fit in `directory`'s filesystem.
    public static func require(_ bytes: Int64, for what: String, in directory: FilePath) throws {
        guard let free = available(in: directory), bytes > free else { return }
        throw RuntimeError("\(what): needs \(mebibytes(bytes)) but only \(mebibytes(free)) is free in \(quoted(directory.string))")
    }

    static func mebibytes(_ bytes: Int64) -> String { "\((bytes + 1_048_575) / 1_048_576) MiB" }
}
