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
/// into the store, reveal its digest in an error, or read forever. So each name is walked one
/// component at a time from a descriptor of the staging directory with `O_NOFOLLOW` (no
/// symlink is followed, not even one pointing back inside), opened `O_PATH` (opening a FIFO
/// or a device has effects of its own), and accepted only when `fstat` says `S_IFREG`.
///
/// (A private walk: openat2's `RESOLVE_IN_ROOT|RESOLVE_NO_SYMLINKS` does the same in one call
/// but Swift cannot call the variadic `syscall(2)`; the shared "paths inside a root" helper
/// will replace this.)
final class ArchiveMember {
    /// `O_PATH`, which Glibc's Swift module leaves out (it is `_GNU_SOURCE` only); the same
    /// value on every Linux architecture minidock builds for.
    private static let pathOnly: Int32 = 0o10000000

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
        let components = relative.split(separator: "/").map(String.init)
        func refuse(_ why: String) -> RuntimeError {
            RuntimeError("archive \(quoted(archive.string)): member \(quoted(name)) \(why)")
        }
        guard !components.isEmpty else { throw refuse("is not a regular file") }
        var current = try Syscall.call("open", [quoted(directory.string), "O_PATH|O_DIRECTORY"],
                                       subject: quoted(directory.string), traced: false) {
            open(directory.string, Self.pathOnly | O_DIRECTORY | O_CLOEXEC)
        }
        for (index, component) in components.enumerated() {
            let last = index == components.count - 1
            let flags = Self.pathOnly | O_NOFOLLOW | O_CLOEXEC | (last ? 0 : O_DIRECTORY)
            let next: Int32
            do {
                next = try Syscall.call("openat", [], subject: quoted(name), traced: false) { openat(current, component, flags) }
            } catch let error as RuntimeError {
                close(current)
                switch error.errno {
                case .noSuchFileOrDirectory?: throw refuse("is not in the archive")
                // ENOTDIR: a symlink or a file where a directory was needed; ELOOP: the last
                // component is a symlink (O_PATH|O_NOFOLLOW opens a symlink itself, see below).
                case .notDirectory?, .tooManySymbolicLinkLevels?: throw refuse("is not a regular file")
                default: throw error
                }
            }
            close(current)
            current = next
        }
        var info = stat()
        guard fstat(current, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            // O_PATH|O_NOFOLLOW on a symlink opens the link itself: S_IFLNK lands here too.
            close(current)
            throw refuse("is not a regular file")
        }
        descriptor = current
        size = Int64(info.st_size)
    }

    deinit { close(descriptor) }

    func read() throws -> [UInt8] {
        try FileContents.read(path, traced: false)
    }

    /// Whether `name` exists in `directory` at all (as anything, without following it): how
    /// `load` tells a docker-archive from an OCI layout before reading either.
    static func exists(_ name: String, in directory: FilePath) -> Bool {
        var info = stat()
        return lstat(directory.appending(name).string, &info) == 0
    }
}
