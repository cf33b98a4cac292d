#if canImport(Glibc)
import Glibc
#endif
import SystemPackage

/// Which images running containers use, so that `rmi` does not pull the layers from under
/// them: `images/in-use/<manifest hex>/<holder>`, a file holding the holder's PID and start
/// time. A holder that died without releasing (a crash, SIGKILL) is recognised by that process
/// being gone — a new process that got the same PID has another start time — and its record
/// is removed by the next command that looks.
extension ImageStore {
    var inUseDirectory: FilePath { root.appending("in-use") }

    public func markInUse(_ manifest: Digest, by holder: String) throws {
        let directory = inUseDirectory.appending(manifest.hex)
        try Directories.create(directory)
        try FileContents.write(Array("\(ProcessIdentity.current)".utf8), to: directory.appending(holder), create: true)
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
            let owner = ProcessIdentity(parsingPrefixOf: (try? FileContents.readString(record)) ?? "")
            if owner?.isAlive == true {
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
