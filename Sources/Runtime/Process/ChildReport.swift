import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// What a child sends its parent over their socketpair before it execs.
///
/// The channel is close-on-exec: a successful execve closes it, so the parent reads
/// end-of-file and knows the command is running. Anything else arrives as one of
/// these messages, so a failure inside the child (a mount refused, a command not
/// found) surfaces in the parent as the same `RuntimeError` it would have thrown itself.
enum ChildReport: Codable, Equatable {
    /// The child has asked to die with its parent and now waits for "proceed".
    case ready
    /// A step of the child's preparation failed (a mount, pivot_root, sethostname...).
    case setupFailed(RuntimeError)
    /// execve itself failed: the command is missing (127) or cannot be run (126).
    case execFailed(RuntimeError)
    /// The child is prepared and held before exec (the runtime layer's created state).
    case prepared

    func encoded() -> [UInt8] {
        (try? Array(JSONEncoder().encode(self))) ?? []
    }

    static func decode(_ bytes: [UInt8]) -> ChildReport? {
        try? JSONDecoder().decode(ChildReport.self, from: Data(bytes))
    }

    var error: RuntimeError {
        switch self {
        case .setupFailed(let error), .execFailed(let error): return error
        case .ready: return RuntimeError("the child sent \"ready\" out of turn")
        case .prepared: return RuntimeError("the child sent \"prepared\" out of turn")
        }
    }
}

/// What the parent sends the child: the one word it waits for before it prepares and execs.
enum ParentMessage: UInt8 {
    case proceed = 1

    func send(on socket: Int32) throws {
        var byte = rawValue
        try Syscall.call("send", ["\(socket)", "[proceed]", "1", "MSG_NOSIGNAL"], subject: "to the child") {
            Glibc.send(socket, &byte, 1, Int32(MSG_NOSIGNAL))
        }
    }

    /// nil if the parent went away (end-of-file) or sent something unknown.
    static func receive(on socket: Int32) -> ParentMessage? {
        var byte: UInt8 = 0
        let count = try? Syscall.call("recv", ["\(socket)"], subject: "from the parent", traced: false) {
            recv(socket, &byte, 1, 0)
        }
        return count == 1 ? ParentMessage(rawValue: byte) : nil
    }
}

extension RuntimeError: Codable {
    enum CodingKeys: String, CodingKey { case message, errno, exitCode }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(try container.decode(String.self, forKey: .message),
                  errno: try container.decodeIfPresent(Int32.self, forKey: .errno).map { .init(rawValue: $0) },
                  exitCode: try container.decode(Int32.self, forKey: .exitCode))
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(message, forKey: .message)
        try container.encodeIfPresent(errno?.rawValue, forKey: .errno)
        try container.encode(exitCode, forKey: .exitCode)
    }
}
