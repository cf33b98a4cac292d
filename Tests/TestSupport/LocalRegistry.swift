import Foundation

/// A real OCI distribution registry (Debian's docker-registry, distribution 2.8) on 127.0.0.1,
/// started by a test on a free port with its storage in a temporary directory, and stopped by
/// the PID it was started with. Optionally with TLS (a CA made with openssl for this test)
/// and htpasswd basic auth, or with token auth against a token server the test runs.
public final class LocalRegistry {
    public let directory: URL
    public let port: Int
    let process = Process()
    public var host: String { "127.0.0.1:\(port)" }
    /// With TLS: the CA that signed the registry's certificate.
    public var caCertificate: URL?

    public enum Auth { case none, htpasswd(user: String, password: String), token(realm: String, service: String, certificate: URL) }

    public init(in parent: URL, tls: Bool = false, auth: Auth = .none) throws {
        directory = parent.appendingPathComponent("registry-\(UUID().uuidString.prefix(6))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        port = try Self.freePort()
        var config = """
        version: 0.1
        log:
          level: error
        storage:
          filesystem:
            rootdirectory: \(directory.path)/data
          delete:
            enabled: true
        http:
          addr: 127.0.0.1:\(port)

        """
        if tls {
            try makeCertificates()
            config += """
              tls:
                certificate: \(directory.path)/server.crt
                key: \(directory.path)/server.key

            """
        }
        switch auth {
        case .none: break
        case .htpasswd(let user, let password):
            let hash = try Self.run("/usr/bin/htpasswd", ["-Bbn", user, password])
            try hash.write(to: directory.appendingPathComponent("htpasswd"), atomically: true, encoding: .utf8)
            config += """
            auth:
              htpasswd:
                realm: test-registry
                path: \(directory.path)/htpasswd

            """
        case .token(let realm, let service, let certificate):
            config += """
            auth:
              token:
                realm: \(realm)
                service: \(service)
                issuer: minidock-test-issuer
                rootcertbundle: \(certificate.path)

            """
        }
        try config.write(to: directory.appendingPathComponent("config.yml"), atomically: true, encoding: .utf8)
        process.executableURL = URL(fileURLWithPath: "/usr/bin/docker-registry")
        process.arguments = ["serve", directory.appendingPathComponent("config.yml").path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: {
            let log = directory.appendingPathComponent("log")
            FileManager.default.createFile(atPath: log.path, contents: nil)
            return log
        }())
        try process.run()
        try waitUntilListening()
    }

    deinit { stop() }

    public func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGTERM)
            process.waitUntilExit()
        }
    }

    /// Fill the registry with skopeo, from an archive made by the test.
    public func push(archive: String, as name: String) throws {
        var arguments = ["copy", "-q", "docker-archive:\(archive)", "docker://\(host)/\(name)"]
        if let caCertificate { arguments.insert(contentsOf: ["--dest-cert-dir", caCertificate.deletingLastPathComponent().path], at: 1) } else {
            arguments.insert("--dest-tls-verify=false", at: 1)
        }
        _ = try Self.run("/usr/bin/skopeo", arguments)
    }

    /// A manifest as the registry serves it (`skopeo inspect --raw`), decoded: its layers'
    /// digests and media types, read back from the registry itself.
    public func manifest(_ name: String) throws -> [String: Any] {
        var arguments = ["inspect", "--raw", "docker://\(host)/\(name)"]
        if let caCertificate { arguments.insert(contentsOf: ["--cert-dir", caCertificate.deletingLastPathComponent().path], at: 1) } else {
            arguments.insert("--tls-verify=false", at: 1)
        }
        let json = try Self.run("/usr/bin/skopeo", arguments)
        return (try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]) ?? [:]
    }

    /// The layers of a manifest: (digest, media type), bottom first.
    public func layers(_ name: String) throws -> [(digest: String, mediaType: String)] {
        ((try manifest(name)["layers"] as? [[String: Any]]) ?? []).map { ($0["digest"] as? String ?? "", $0["mediaType"] as? String ?? "") }
    }

    /// Every file of the registry's storage, for "nothing was half-stored" checks.
    public var storedFiles: [String] {
        (FileManager.default.enumerator(atPath: directory.appendingPathComponent("data").path)?.allObjects as? [String]) ?? []
    }

    private func waitUntilListening() throws {
        for _ in 0..<200 {
            let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            close(socket)
            if connected == 0 { return }
            guard process.isRunning else { break }
            usleep(25_000)
        }
        let log = (try? String(contentsOf: directory.appendingPathComponent("log"), encoding: .utf8)) ?? ""
        throw NSError(domain: "LocalRegistry", code: 1, userInfo: [NSLocalizedDescriptionKey: "registry did not start: \(log)"])
    }

    private func makeCertificates() throws {
        let dir = directory.path
        _ = try Self.run("/usr/bin/openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                                              "-subj", "/CN=minidock test CA", "-keyout", "\(dir)/ca.key", "-out", "\(dir)/ca.crt"])
        _ = try Self.run("/usr/bin/openssl", ["req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1",
                                              "-keyout", "\(dir)/server.key", "-out", "\(dir)/server.csr"])
        try "subjectAltName=IP:127.0.0.1\n".write(toFile: "\(dir)/san.ext", atomically: true, encoding: .utf8)
        _ = try Self.run("/usr/bin/openssl", ["x509", "-req", "-in", "\(dir)/server.csr", "-CA", "\(dir)/ca.crt", "-CAkey", "\(dir)/ca.key",
                                              "-CAcreateserial", "-days", "2", "-extfile", "\(dir)/san.ext", "-out", "\(dir)/server.crt"])
        // A directory with the CA alone: skopeo reads every *.key beside it as a client key.
        let trust = directory.appendingPathComponent("trust")
        try FileManager.default.createDirectory(at: trust, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: "\(dir)/ca.crt", toPath: trust.appendingPathComponent("ca.crt").path)
        caCertificate = trust.appendingPathComponent("ca.crt")
    }

    public static func freePort() throws -> Int {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Run a helper (openssl, htpasswd, skopeo) that must succeed; its stdout.
    @discardableResult
    public static func run(_ executable: String, _ arguments: [String]) throws -> String {
        let result = try ProcessRunner.run(executable, arguments)
        guard result.status == 0 else {
            throw NSError(domain: "LocalRegistry", code: Int(result.status),
                          userInfo: [NSLocalizedDescriptionKey: "\(executable) \(arguments): \(result.stderr)"])
        }
        return result.stdout
    }
}
