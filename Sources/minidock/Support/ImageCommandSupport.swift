#if canImport(Glibc)
import Glibc
#endif
import Runtime
import SystemPackage

extension GlobalOptions {
    /// The image store under the storage root. It keeps files with their owners, modes and
    /// device numbers, and is root's alone: anyone else gets one line saying so, not EACCES.
    func imageStore() throws -> ImageStore {
        guard geteuid() == 0 else {
            throw RuntimeError("must be run as root: the image store keeps files with their owners and device nodes, and is root's alone (try sudo)")
        }
        return try ImageStore(root: FilePath(storageRoot))
    }
}

/// Docker's CLI exits 1 when the daemon refuses a request (`No such image`), and keeps 125
/// for its own errors (a bad flag). Image commands report their failures with 1.
func dockerRequest<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch var error as RuntimeError {
        if error.exitCode == ExitCode.runtimeFailure { error.exitCode = 1 }
        throw error
    }
}

/// Write an archive to `-o FILE`, or to standard output — never to a terminal, as Docker refuses.
/// `produce` writes the archive to the path it is given.
func writeArchive(to output: String?, store: ImageStore, _ produce: (FilePath) throws -> Void) throws {
    if let output {
        try produce(FilePath(output))
        return
    }
    guard isatty(1) == 0 else {
        throw RuntimeError("cowardly refusing to save to a terminal. Use the -o flag or redirect", exitCode: 1)
    }
    let staging = store.temporaryPath("stdout")
    defer { try? TreeWalk.remove(staging) }
    try produce(staging)
    try copyToStandardOutput(staging)
}

/// Copy a file to standard output (for `save` and `export` without `-o`), a buffer at a time:
/// an archive is as large as the image, and memory should not be.
func copyToStandardOutput(_ path: FilePath) throws {
    let fd = try Syscall.call("open", [quoted(path.string), "O_RDONLY"], subject: quoted(path.string), traced: false) {
        open(path.string, O_RDONLY | O_CLOEXEC)
    }
    defer { close(fd) }
    try copyStream(from: fd, path.string, to: 1, "standard output")
}

/// Copy standard input to a file (for `load` and `import -`), a buffer at a time.
func copyStandardInput(to path: FilePath) throws {
    let fd = try Syscall.call("open", [quoted(path.string), "O_WRONLY|O_CREAT|O_EXCL"], subject: quoted(path.string), traced: false) {
        open(path.string, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
    }
    defer { close(fd) }
    try copyStream(from: 0, "standard input", to: fd, path.string)
}

/// Read `source` to its end and write each piece to `destination`, through one fixed buffer.
func copyStream(from source: Int32, _ sourceName: String, to destination: Int32, _ destinationName: String) throws {
    var buffer = [UInt8](repeating: 0, count: 256 * 1024)
    try buffer.withUnsafeMutableBytes { raw in
        while true {
            let count = try Syscall.call("read", [], subject: sourceName, traced: false) { read(source, raw.baseAddress, raw.count) }
            if count == 0 { return }
            var offset = 0
            while offset < count {
                offset += try Syscall.call("write", [], subject: destinationName, traced: false) {
                    write(destination, raw.baseAddress! + offset, count - offset)
                }
            }
        }
    }
}
