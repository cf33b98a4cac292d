#if canImport(Glibc)
import Glibc
#endif
import SystemPackage

/// Where `save -o` and `export -o` build their archive: a hidden temporary in the target's
/// own directory (`.NAME.minidock-PID`), renamed over the target when complete.
///
/// Next to the target, because rename(2) only works within one filesystem: a temporary in the
/// store's `tmp/` cannot be renamed onto a tmpfs or another disk (`EXDEV`, found only after
/// the whole archive was written). The rename keeps the target whole: it is either the old
/// file or the complete new one, never half an archive. The name carries the PID so that two
/// commands writing the same target do not share a temporary, and a dead writer's is known.
public enum ArchiveOutput {
    public static func temporary(for target: FilePath) -> FilePath {
        let name = target.lastComponent?.string ?? "archive"
        return directory(of: target).appending(".\(name).minidock-\(getpid())")
    }

    static func directory(of target: FilePath) -> FilePath {
        let directory = target.removingLastComponent()
        return directory.isEmpty ? FilePath(".") : directory
    }

    /// Run `produce` on the temporary, then rename it to `target`; on failure it is removed.
    public static func write(to target: FilePath, _ produce: (FilePath) throws -> Void) throws {
        // Docker's CLI words for a target whose directory is not there.
        guard Directories.isDirectory(directory(of: target)) else {
            throw RuntimeError("invalid output path: directory \(quoted(directory(of: target).string)) does not exist")
        }
        let staging = temporary(for: target)
        // Created here first (exclusive, owner-only, as every archive of the store is): a
        // directory that is missing or not writable is reported before any work, in the
        // gate's words, and the writers below open a file that exists.
        let fd = try Syscall.call("open", [quoted(staging.string), "O_WRONLY|O_CREAT|O_EXCL"], subject: quoted(staging.string),
                                  traced: false) { open(staging.string, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600) }
        close(fd)
        do {
            try produce(staging)
            try Syscall.call("rename", [quoted(staging.string), quoted(target.string)], subject: quoted(target.string), traced: false) {
                rename(staging.string, target.string)
            }
        } catch {
            unlink(staging.string)
            throw error
        }
    }
}
