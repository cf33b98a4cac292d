#if canImport(Glibc)
import Glibc
#endif

/// Descriptors a container must not inherit.
public enum DescriptorHygiene {
    /// From `first` on: close now every descriptor the caller passed down (not close-on-exec:
    /// an engine's, or one it leaked), and leave ours, all close-on-exec, to execve. Now and not
    /// at exec, because a created container is held before exec, and a caller that waits for
    /// the end of a pipe it handed to `create` would wait for as long as the container lives.
    public static func closeInherited(from first: Int32) throws {
        for name in try Directories.entries("/proc/self/fd") {
            guard let fd = Int32(name), fd >= first else { continue }
            let flags = fcntl(fd, F_GETFD)
            if flags >= 0 && flags & FD_CLOEXEC == 0 { close(fd) }
        }
    }
}
