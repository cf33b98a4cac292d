#if canImport(Glibc)
import Glibc
#endif
import Runtime

/// Where a lesson finds the busybox rootfs fixture when `--rootfs` is not given:
/// `$MINIDOCK_ROOTFS`, else `fixtures/busybox-rootfs` in the current directory or one above
/// it, or above the lesson binary (which lives in the checkout's `.build/…`).
enum Paths {
    static let fixture = "fixtures/busybox-rootfs"

    static func findBusyboxFixture() -> String? {
        if let fromEnvironment = getenv("MINIDOCK_ROOTFS") { return String(cString: fromEnvironment) }
        for start in [currentDirectory(), executableDirectory()] {
            var directory = start
            while !directory.isEmpty {
                let candidate = directory + "/" + fixture
                if access(candidate + "/bin/busybox", F_OK) == 0 { return candidate }
                guard let slash = directory.lastIndex(of: "/") else { break }
                directory = String(directory[..<slash])
            }
        }
        return nil
    }

    static func currentDirectory() -> String { HostEnvironment.currentDirectory() }

    static func executableDirectory() -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX))
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard count > 0 else { return "" }
        let path = String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return path.lastIndex(of: "/").map { String(path[..<$0]) } ?? ""
    }
}
