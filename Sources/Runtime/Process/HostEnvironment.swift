#if canImport(Glibc)
import Glibc
#endif

/// The caller's own environment as `KEY=value` strings: what a plain child process
/// (Lesson01) inherits. Containers get the spec's environment instead, never this.
public enum HostEnvironment {
    public static func current() -> [String] {
        var result: [String] = []
        var entry = environ
        while let pointer = entry.pointee {
            result.append(String(cString: pointer))
            entry += 1
        }
        return result
    }

    public static func currentDirectory() -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX))
        guard getcwd(&buffer, buffer.count) != nil else { return "/" }
        return String(cString: buffer)
    }
}
