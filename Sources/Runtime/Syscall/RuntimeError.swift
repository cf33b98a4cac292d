import SystemPackage

/// The one error type of minidock.
///
/// Its message follows one convention so that a learner can read any failure the same way:
/// lower case, no final period, the call and its quoted argument, then the errno name —
/// `mount "proc" on "/tmp/rootfs/proc": EPERM`.
///
/// `exitCode` is the status Docker would give the failure: 125 when the runtime itself
/// failed, 126 when the command cannot be invoked, 127 when it is not found.
public struct RuntimeError: Error, Equatable, CustomStringConvertible, Sendable {
    public var message: String
    public var errno: Errno?
    public var exitCode: Int32

    public init(_ message: String, errno: Errno? = nil, exitCode: Int32 = ExitCode.runtimeFailure) {
        self.message = message
        self.errno = errno
        self.exitCode = exitCode
    }

    /// A failed call: `call subject: ENAME`.
    public init(call: String, subject: String, errno: Errno, exitCode: Int32 = ExitCode.runtimeFailure) {
        let about = subject.isEmpty ? call : "\(call) \(subject)"
        self.init("\(about): \(errno.symbolicName)", errno: errno, exitCode: exitCode)
    }

    public var description: String { message }
}

/// Docker's exit codes for failures that are not the command's own status.
public enum ExitCode {
    /// The runtime failed before the command ran (docker's 125).
    public static let runtimeFailure: Int32 = 125
    /// The command was found but cannot be invoked: not executable, a directory (126).
    public static let cannotInvoke: Int32 = 126
    /// The command was not found (127).
    public static let notFound: Int32 = 127
}

/// Quote a string as the trace and error messages show arguments: `"/proc"`.
public func quoted(_ text: String) -> String {
    var out = "\""
    for ch in text.unicodeScalars {
        switch ch {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\t": out += "\\t"
        default:
            if ch.value < 0x20 { out += "\\x" + String(ch.value, radix: 16) } else { out.unicodeScalars.append(ch) }
        }
    }
    return out + "\""
}

extension String {
    /// A library's message (`Failed to open …`, `Couldn't connect`) in the lower case minidock's
    /// errors start with.
    public var lowercasedFirst: String {
        guard let first else { return self }
        return first.lowercased() + dropFirst()
    }
}
