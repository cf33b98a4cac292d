import FoundationEssentials

/// Any JSON value, Codable: what `CredentialStore` reads Docker's config file into, so the keys
/// it does not know are written back as they were. (Foundation's JSONSerialization would do,
/// but it lives outside FoundationEssentials, and importing Foundation costs every command's
/// start-up; see docs/performance.md.)
enum JSONValue: Codable, Equatable {
    case null
    case bool(Bool)
    case integer(Int64)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Int64.self) { self = .integer(value) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([JSONValue].self) { self = .array(value) }
        else { self = .object(try container.decode([String: JSONValue].self)) }
    }

    func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .integer(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    var object: [String: JSONValue]? { if case .object(let value) = self { return value } else { return nil } }
    var string: String? { if case .string(let value) = self { return value } else { return nil } }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs (and, with `newlines`, CR and LF): the part of
    /// Foundation's `trimmingCharacters(in:)` that HTTP headers need, without importing Foundation.
    func trimmingWhitespace(newlines: Bool = false) -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || (newlines && ($0 == "\r" || $0 == "\n" || $0 == "\r\n")) }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[first...last])
    }
}
