import FoundationEssentials  // JSONValue keeps the keys of the file it does not know as they are
#if canImport(Glibc)
import Glibc
#endif
import Runtime
import SystemPackage

/// Registry credentials in Docker's own file, `~/.docker/config.json` (or `$DOCKER_CONFIG/config.json`):
/// `{"auths": {"HOST": {"auth": base64("user:password")}}}`. Read and written as Docker does,
/// so `docker login` and `minidock login` share them. Other keys in the file are kept.
public struct CredentialStore {
    public let file: FilePath

    public init(file: FilePath? = nil) {
        if let file {
            self.file = file
        } else if let directory = getenv("DOCKER_CONFIG") {
            self.file = FilePath(String(cString: directory)).appending("config.json")
        } else {
            let home = getenv("HOME").map { String(cString: $0) } ?? "/root"
            self.file = FilePath(home).appending(".docker/config.json")
        }
    }

    /// Docker Hub's key in the file is its v1 index URL, for historical reasons.
    public static func key(for domain: String) -> String {
        domain == ImageReference.defaultDomain ? "https://index.docker.io/v1/" : domain
    }

    public func credentials(for domain: String) throws -> (user: String, password: String)? {
        guard let auths = try document()["auths"]?.object,
              let entry = auths[Self.key(for: domain)]?.object,
              let encoded = entry["auth"]?.string,
              let decoded = Data(base64Encoded: encoded).map({ String(decoding: $0, as: UTF8.self) }),
              let colon = decoded.firstIndex(of: ":") else { return nil }
        return (String(decoded[..<colon]), String(decoded[decoded.index(after: colon)...]))
    }

    public func store(user: String, password: String, for domain: String) throws {
        var document = try document()
        var auths = document["auths"]?.object ?? [:]
        auths[Self.key(for: domain)] = .object(["auth": .string(Data("\(user):\(password)".utf8).base64EncodedString())])
        document["auths"] = .object(auths)
        try write(document)
    }

    /// Returns whether there was anything to remove.
    @discardableResult
    public func remove(for domain: String) throws -> Bool {
        var document = try document()
        guard var auths = document["auths"]?.object, auths[Self.key(for: domain)] != nil else { return false }
        auths[Self.key(for: domain)] = nil
        document["auths"] = .object(auths)
        try write(document)
        return true
    }

    func document() throws -> [String: JSONValue] {
        guard access(file.string, F_OK) == 0 else { return [:] }
        let bytes = try FileContents.read(file, traced: false)
        guard let object = (try? JSONDecoder().decode(JSONValue.self, from: Data(bytes)))?.object else {
            throw RuntimeError("\(quoted(file.string)): not a JSON object")
        }
        return object
    }

    func write(_ document: [String: JSONValue]) throws {
        try Directories.create(file.removingLastComponent(), mode: 0o700)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let bytes = try encoder.encode(document)
        let staging = FilePath(file.string + ".tmp")
        // 0600: the file holds passwords, as Docker's does.
        try FileContents.write(Array(bytes), to: staging, create: true, mode: 0o600)
        guard rename(staging.string, file.string) == 0 else {
            throw RuntimeError(call: "rename", subject: quoted(file.string), errno: Errno(rawValue: errno))
        }
    }
}
