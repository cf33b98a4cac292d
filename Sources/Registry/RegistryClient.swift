import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif
import Runtime
import SystemPackage

/// A client of one registry, speaking the OCI distribution spec:
/// `GET /v2/<name>/manifests/<reference>`, `GET|HEAD /v2/<name>/blobs/<digest>`,
/// `POST /v2/<name>/blobs/uploads/` then `PUT <location>?digest=`, `PUT /v2/<name>/manifests/<tag>`.
///
/// Authentication follows the registry's 401 challenge: Basic with stored credentials, or the
/// Bearer flow Docker Hub uses — ask the challenge's `realm` for a token for `service` and
/// `scope`, then retry with `Authorization: Bearer <token>`.
public final class RegistryClient {
    public let domain: String
    let http: HTTPClient
    let credentials: (user: String, password: String)?
    /// https, or http for a registry Docker would treat as insecure and which does not speak TLS.
    var scheme: String
    let allowPlainHTTP: Bool
    /// The Authorization header that worked, per scope.
    var authorizations: [String: String] = [:]

    /// - Parameters:
    ///   - insecureRegistries: hosts (host:port) allowed to fall back to plain HTTP, like
    ///     Docker's `--insecure-registry`; localhost and 127.0.0.0/8 always are.
    ///   - certificatesDirectory: Docker's `certs.d` layout: `<dir>/<host:port>/ca.crt` is trusted for that host.
    public init(domain: String, insecureRegistries: [String] = [], certificatesDirectories: [FilePath] = [],
                credentials: CredentialStore = CredentialStore()) throws {
        self.domain = domain
        let host = domain.split(separator: ":").first.map(String.init) ?? domain
        allowPlainHTTP = insecureRegistries.contains(domain) || host == "localhost" || host.hasPrefix("127.") || host == "::1"
        let ca = certificatesDirectories.map { $0.appending("\(domain)/ca.crt") }.first { access($0.string, R_OK) == 0 }
        http = HTTPClient(certificateAuthority: ca?.string)
        self.credentials = try credentials.credentials(for: domain)
        scheme = "https"
    }

    /// Docker Hub's API lives at registry-1.docker.io; every other registry at its own name.
    var apiHost: String { domain == ImageReference.defaultDomain ? "registry-1.docker.io" : domain }

    func url(_ path: String) -> String { "\(scheme)://\(apiHost)\(path)" }

    // MARK: requests with authentication

    /// Send `request` (its URL a path under /v2/), answering an auth challenge once.
    func send(_ method: String, _ path: String, scope: String, headers: [(String, String)] = [],
              body: [UInt8]? = nil, absoluteURL: String? = nil) throws -> HTTPResponse {
        func attempt() throws -> HTTPResponse {
            var allHeaders = headers
            if let authorization = authorizations[scope] { allHeaders.append(("Authorization", authorization)) }
            return try http.send(HTTPRequest(method: method, url: absoluteURL ?? url(path), headers: allHeaders, body: body))
        }
        var response = try withSchemeFallback(attempt)
        if response.status == 401, authorizations[scope] == nil, let header = response.header("www-authenticate"),
           let challenge = AuthChallenge(header: header) {
            authorizations[scope] = try authorize(challenge, scope: scope)
            response = try attempt()
        }
        if response.status == 401 {
            throw RuntimeError("\(domain): unauthorized: authentication required (minidock login \(domain))")
        }
        return response
    }

    /// An insecure registry that does not speak TLS is tried again over plain HTTP, as Docker does.
    func withSchemeFallback(_ body: () throws -> HTTPResponse) throws -> HTTPResponse {
        do {
            return try body()
        } catch is RuntimeError where scheme == "https" && allowPlainHTTP {
            scheme = "http"
            return try body()
        }
    }

    func authorize(_ challenge: AuthChallenge, scope: String) throws -> String {
        switch challenge.scheme {
        case "basic":
            guard let credentials else { throw RuntimeError("\(domain): unauthorized: authentication required (minidock login \(domain))") }
            return "Basic " + Data("\(credentials.user):\(credentials.password)".utf8).base64EncodedString()
        case "bearer":
            guard let realm = challenge.parameters["realm"], realm.hasPrefix("http") else {
                throw RuntimeError("\(domain): bearer challenge without a realm")
            }
            var query: [String] = []
            if let service = challenge.parameters["service"] { query.append("service=\(percentEncoded(service))") }
            query.append("scope=\(percentEncoded(challenge.parameters["scope"] ?? scope))")
            var headers: [(String, String)] = []
            if let credentials {
                headers.append(("Authorization", "Basic " + Data("\(credentials.user):\(credentials.password)".utf8).base64EncodedString()))
            }
            let response = try http.send(HTTPRequest(url: realm + (realm.contains("?") ? "&" : "?") + query.joined(separator: "&"),
                                                     headers: headers))
            guard response.status == 200 else {
                throw RuntimeError("\(domain): token server \(quoted(realm)) answered \(response.status)")
            }
            struct Token: Decodable { var token: String?; var access_token: String? }
            let token = try? JSONDecoder().decode(Token.self, from: Data(response.body))
            guard let value = token?.token ?? token?.access_token, !value.isEmpty else {
                throw RuntimeError("\(domain): token server \(quoted(realm)) sent no token")
            }
            return "Bearer " + value
        default:
            throw RuntimeError("\(domain): unsupported authentication scheme \(quoted(challenge.scheme))")
        }
    }

    func percentEncoded(_ text: String) -> String {
        var result = ""
        for byte in text.utf8 {
            let character = Character(Unicode.Scalar(byte))
            if character.isASCII && (character.isLetter || character.isNumber || "-._~".contains(character)) {
                result.append(character)
            } else {
                result += "%" + (byte < 16 ? "0" : "") + String(byte, radix: 16, uppercase: true)
            }
        }
        return result
    }

    /// An error for an unexpected status, with the registry's own error message when it sent one.
    func failure(_ response: HTTPResponse, _ what: String) -> RuntimeError {
        struct Errors: Decodable { struct Item: Decodable { var code: String?; var message: String? }; var errors: [Item]? }
        let detail = (try? JSONDecoder().decode(Errors.self, from: Data(response.body)))?.errors?.first
        let message = [detail?.code.map { String($0.lowercased().map { $0 == "_" ? " " : $0 }) }, detail?.message]
            .compactMap { $0 }.joined(separator: ": ")
        return RuntimeError("\(what): \(domain) answered \(response.status)\(message.isEmpty ? "" : " (\(message))")")
    }

    // MARK: the API

    /// `GET /v2/`: reachable, and with these credentials allowed in.
    public func ping() throws {
        let response = try send("GET", "/v2/", scope: "")
        guard response.status == 200 else { throw failure(response, "login") }
    }

    /// `GET /v2/_catalog`: the repositories, as `search` lists them.
    public func catalog() throws -> [String] {
        let response = try send("GET", "/v2/_catalog?n=1000", scope: "registry:catalog:*")
        guard response.status == 200 else { throw failure(response, "search") }
        struct Catalog: Decodable { var repositories: [String]? }
        return (try JSONDecoder().decode(Catalog.self, from: Data(response.body))).repositories ?? []
    }
}
