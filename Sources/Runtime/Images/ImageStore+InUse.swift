#if canImport(Glibc)
import Glibc
#endif
import SystemPackage

/// Which images running containers use, so that `rmi` does not pull the layers from under
/// them: `images/in-use/<manifest hex>/<holder>`, a file holding the holder's PID. A holder that
/// died without releasing (a crash, SIGKILL) is recognised by its PID being gone, and its
/// record removed by the next command that looks.
extension ImageStore {
    var inUseDirectory: FilePath { root.appending("in-use") }

    public func markInUse(_ manifest: Digest, by holder: String) throws {
        let directory = inUseDirectory.appending(manifest.hex)
        try Directories.create(directory)
        try FileContents.write(Array("\(getpid())".utf8), to: directory.appending(holder), create: true)
    }

    public func releaseUse(_ manifest: Digest, by holder: String) {
        let directory = inUseDirectory.appending(manifest.hex)
        unlink(directory.appending(holder).string)
        rmdir(directory.string)
    }

    /// The live holders of an image, reconciling records whose process is gone.
    public func holders(of manifest: Digest) throws -> [String] {
        let directory = inUseDirectory.appending(manifest.hex)
        guard Directories.isDirectory(directory) else { return [] }
        var live: [String] = []
        for holder in try Directories.entries(directory).sorted() {
            let record = directory.appending(holder)
            let pid = pid_t((try? FileContents.readString(record)) ?? "") ?? 0
            if pid > 0 && (kill(pid, 0) == 0 || errno == EPERM) {
                live.append(holder)
            } else {
                unlink(record.string)
            }
        }
        if live.isEmpty { rmdir(directory.string) }
        return live
    }

    /// Every manifest some live holder uses.
    func manifestsInUse() throws -> Set<Digest> {
        guard Directories.isDirectory(inUseDirectory) else { return [] }
        var result = Set<Digest>()
        for hex in try Directories.entries(inUseDirectory) {
            let digest = Digest(sha256: hex)
            if try !holders(of: digest).isEmpty { result.insert(digest) }
        }
        return result
    }
}
