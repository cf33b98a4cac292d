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

/// Copy a file to standard output (for `save` without `-o`).
func copyToStandardOutput(_ path: FilePath) throws {
    let bytes = try FileContents.read(path, traced: false)
    var offset = 0
    while offset < bytes.count {
        let written = bytes[offset...].withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
        if written < 0 {
            if errno == EINTR { continue }
            throw RuntimeError(call: "write", subject: "standard output", errno: Errno(rawValue: errno))
        }
        offset += written
    }
}

/// Copy standard input to a file (for `load` and `import -`).
func copyStandardInput(to path: FilePath) throws {
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 256 * 1024)
    while true {
        let count = buffer.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
        if count < 0 {
            if errno == EINTR { continue }
            throw RuntimeError(call: "read", subject: "standard input", errno: Errno(rawValue: errno))
        }
        if count == 0 { break }
        bytes.append(contentsOf: buffer[..<count])
    }
    try FileContents.write(bytes, to: path, create: true)
}
