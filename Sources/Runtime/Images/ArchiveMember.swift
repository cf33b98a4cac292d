#if canImport(Glibc)
import Glibc
#endif
import SystemPackage

/// A file named inside an unpacked image archive (`Config`, a layer, an OCI blob, `index.json`),
/// opened as a regular file of the archive and nothing else.
///
/// `load` unpacks the archive into a staging directory, then reads the members its manifest
/// names. The archive chose those names *and* what is at them: a member that is a symlink
/// (`config.json -> /etc/shadow`, `layer.tar -> /dev/zero`) would make root read a host file
/// into the store, reveal its digest in an error, or read forever. So each name is resolved
/// inside the staging directory with no symlink followed at all, not even one pointing back
/// inside (`RootDirectory` with `.refuse`), opened `O_PATH` (opening a FIFO or a device has
/// effects of its own), and accepted only when `fstat` says `S_IFREG`.
final class ArchiveMember {
    /// An `O_PATH` descriptor of the regular file.
    let descriptor: Int32
    let size: Int64

    /// The member as a path that reopens exactly the file checked (the kernel's magic link
    /// to the open file), for the readers that take a path: no name lookup happens again.
    var path: FilePath { FilePath("/proc/self/fd/\(descriptor)") }

    /// Open `name` inside `directory`; a missing member, a symlink anywhere on the way, or
    /// anything but a regular file is refused with an error naming the member only.
    init(_ name: String, in directory: FilePath, archive: FilePath) throws {
        let relative = try LayerUnpacker.safeRelativePath(name, in: archive)
        func refuse(_ why: String) -> RuntimeError {
            RuntimeError("archive \(quoted(archive.string)): member \(quoted(name)) \(why)")
        }
        guard !relative.isEmpty else { throw refuse("is not a regular file") }
        let fd: Int32
        do {
            // O_NOFOLLOW: a symlink as the last name is opened as the link itself (S_IFLNK below).
            fd = try RootDirectory(directory, symlinks: .refuse).open(relative, O_PATH | O_NOFOLLOW)
        } catch let error as RuntimeError {
            switch error.errno {
            case .noSuchFileOrDirectory?: throw refuse("is not in the archive")
            // ENOTDIR: a file where a directory was needed; ELOOP: a symlink on the way.
            case .notDirectory?, .tooManySymbolicLinkLevels?: throw refuse("is not a regular file")
            default: throw error
            }
        }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            close(fd)
            throw refuse("is not a regular file")
        }
        descriptor = fd
        size = Int64(info.st_size)
    }

    deinit { close(descriptor) }

    /// The most a member read whole may have: those are JSON documents (manifests, configs,
    /// indexes), and a sparse member claiming a gigabyte must not be read into memory.
    static let maximumDocumentSize: Int64 = 16 << 20

    func read() throws -> [UInt8] {
        guard size <= Self.maximumDocumentSize else {
            throw RuntimeError("archive member of \(size) bytes: too big for a JSON document (at most \(Self.maximumDocumentSize))")
        }
        return try FileContents.read(path, traced: false)
    }

    /// Whether `name` exists in `directory` at all (as anything, without following it): how
    /// `load` tells a docker-archive from an OCI layout before reading either.
    static func exists(_ name: String, in directory: FilePath) -> Bool {
        var info = stat()
        return lstat(directory.appending(name).string, &info) == 0
    }
}
