import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif
import Registry
import Runtime
import SystemPackage

/// `minidock login [-u USER] [-p PASS | --password-stdin] [SERVER]`: check the credentials
/// against the registry, then keep them in Docker's config.json.
struct LoginCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "login", abstract: "Log in to a registry.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var registry: RegistryOptions
    @Option(name: .shortAndLong, help: "Username.") var username: String?
    @Option(name: .shortAndLong, help: "Password.") var password: String?
    @Flag(name: .long, help: "Take the password from stdin.") var passwordStdin = false
    @Argument var server: String?

    func run() throws {
        global.apply()
        try dockerRequest {
            guard let username, !username.isEmpty else { throw RuntimeError("username is required: pass -u USER") }
            var secret = password
            if passwordStdin {
                guard password == nil else { throw RuntimeError("--password and --password-stdin are mutually exclusive") }
                var line = readLine(strippingNewline: true) ?? ""
                while line.hasSuffix("\r") { line.removeLast() }
                secret = line
            }
            guard let secret, !secret.isEmpty else { throw RuntimeError("password is required: pass -p or --password-stdin") }
            let domain = registryDomain(server)
            // Check first, store after: wrong credentials must not be written.
            let scratch = CredentialStore(file: FilePath(global.storageRoot).appending("tmp-login-\(getpid()).json"))
            defer { unlink(scratch.file.string) }
            try scratch.store(user: username, password: secret, for: domain)
            try RegistryClient(domain: domain, insecureRegistries: registry.insecureRegistries + registry.configured(global),
                               certificatesDirectories: [FilePath(global.storageRoot).appending("certs.d"), "/etc/docker/certs.d"],
                               credentials: scratch).ping()
            try CredentialStore().store(user: username, password: secret, for: domain)
            print("Login Succeeded")
        }
    }
}

/// `minidock logout [SERVER]`.
struct LogoutCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "logout", abstract: "Log out from a registry.")

    @OptionGroup var global: GlobalOptions
    @Argument var server: String?

    func run() throws {
        global.apply()
        try dockerRequest {
            let domain = registryDomain(server)
            if try CredentialStore().remove(for: domain) {
                print("Removing login credentials for \(CredentialStore.key(for: domain))")
            } else {
                print("Not logged in to \(CredentialStore.key(for: domain))")
            }
        }
    }
}
