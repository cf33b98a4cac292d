import FoundationEssentials
import SystemPackage

extension Spec {
    /// Decode a `config.json` (for example, one written by `runc spec`).
    /// Malformed JSON or a missing required field is a one-line `RuntimeError` naming the file.
    public static func load(from path: FilePath) throws -> Spec {
        let bytes = try FileContents.read(path)
        return try decode(bytes, source: path.string)
    }

    public static func decode(_ bytes: [UInt8], source: String = "config.json") throws -> Spec {
        do {
            return try JSONDecoder().decode(Spec.self, from: Data(bytes))
        } catch let error as DecodingError {
            throw RuntimeError("\(quoted(source)): \(error.oneLineSummary)")
        }
    }

    /// The JSON form, keys sorted so that it is stable to diff and test.
    public func encoded() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(self))
    }
}

extension DecodingError {
    /// Where and what, on one line: `process.args: expected [String], found a number`.
    var oneLineSummary: String {
        func path(_ context: Context) -> String {
            let keys = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }
            let joined = keys.joined()
            return joined.hasPrefix(".") ? String(joined.dropFirst()) : joined
        }
        switch self {
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "invalid JSON" : "\(path(context)): invalid value"
        case .keyNotFound(let key, let context):
            let parent = path(context)
            return "missing field \(quoted(parent.isEmpty ? key.stringValue : parent + "." + key.stringValue))"
        case .typeMismatch(let type, let context):
            return "\(path(context)): expected \(type)"
        case .valueNotFound(let type, let context):
            return "\(path(context)): expected \(type), found null"
        @unknown default:
            return "invalid config"
        }
    }
}
