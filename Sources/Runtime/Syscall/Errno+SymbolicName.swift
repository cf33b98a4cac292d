import SystemPackage

extension Errno {
    /// The C name of the error, `EPERM`, as `strace` and the kernel's headers spell it.
    /// Messages use it rather than strerror's sentence because it is what a learner
    /// searches the man pages for ("ERRORS" section of mount(2), for example).
    public var symbolicName: String {
        Errno.symbolicNames[rawValue] ?? "errno \(rawValue)"
    }

    /// Linux x86_64 numbering, from <asm-generic/errno-base.h> and <asm-generic/errno.h>.
    static let symbolicNames: [CInt: String] = [
        1: "EPERM", 2: "ENOENT", 3: "ESRCH", 4: "EINTR", 5: "EIO", 6: "ENXIO", 7: "E2BIG",
        8: "ENOEXEC", 9: "EBADF", 10: "ECHILD", 11: "EAGAIN", 12: "ENOMEM", 13: "EACCES",
        14: "EFAULT", 15: "ENOTBLK", 16: "EBUSY", 17: "EEXIST", 18: "EXDEV", 19: "ENODEV",
        20: "ENOTDIR", 21: "EISDIR", 22: "EINVAL", 23: "ENFILE", 24: "EMFILE", 25: "ENOTTY",
        26: "ETXTBSY", 27: "EFBIG", 28: "ENOSPC", 29: "ESPIPE", 30: "EROFS", 31: "EMLINK",
        32: "EPIPE", 33: "EDOM", 34: "ERANGE", 35: "EDEADLK", 36: "ENAMETOOLONG", 37: "ENOLCK",
        38: "ENOSYS", 39: "ENOTEMPTY", 40: "ELOOP", 61: "ENODATA", 71: "EPROTO", 75: "EOVERFLOW",
        84: "EILSEQ", 87: "EUSERS", 88: "ENOTSOCK", 90: "EMSGSIZE", 92: "ENOPROTOOPT",
        93: "EPROTONOSUPPORT", 95: "EOPNOTSUPP", 97: "EAFNOSUPPORT", 98: "EADDRINUSE",
        99: "EADDRNOTAVAIL", 100: "ENETDOWN", 101: "ENETUNREACH", 104: "ECONNRESET",
        105: "ENOBUFS", 106: "EISCONN", 107: "ENOTCONN", 110: "ETIMEDOUT", 111: "ECONNREFUSED",
        113: "EHOSTUNREACH", 114: "EALREADY", 115: "EINPROGRESS", 116: "ESTALE", 122: "EDQUOT",
        125: "ECANCELED",
    ]
}
