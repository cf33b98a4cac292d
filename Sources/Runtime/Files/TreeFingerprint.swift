#if canImport(Glibc)
import Glibc
#endif
import SystemPackage

/// A fingerprint of a directory tree — every path, type, mode, owner, size, link target and
/// byte of content — to show that a tree did not change. FNV-1a: fast and simple, fine for
/// "is it the same", not meant to resist someone forging a collision.
public enum TreeFingerprint {
    public static func of(_ root: FilePath) throws -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix<S: Sequence>(_ bytes: S) where S.Element == UInt8 {
            for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        }
        try TreeWalk.walk(root) { entry in
            let info = entry.info
            mix(entry.relativePath.utf8)
            mix("\(info.st_mode) \(info.st_uid) \(info.st_gid) \(info.st_size) \(info.st_rdev)".utf8)
            switch info.st_mode & S_IFMT {
            case S_IFREG: mix(try FileContents.read(entry.path, traced: false))
            case S_IFLNK:
                var buffer = [CChar](repeating: 0, count: Int(PATH_MAX))
                let count = readlink(entry.path.string, &buffer, buffer.count)
                if count > 0 { mix(buffer[..<count].map { UInt8(bitPattern: $0) }) }
            default: break
            }
            return true
        }
        return hash
    }
}
