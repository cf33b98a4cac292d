import ArgumentParser
import Registry
import Runtime

/// `minidock push NAME[:TAG]`: as `docker push`.
struct PushCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "push", abstract: "Upload an image to a registry.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var registry: RegistryOptions
    @Flag(name: .shortAndLong, help: "Suppress verbose output.") var quiet = false
    @Argument var image: String

    func run() throws {
        global.apply()
        try dockerRequest {
            let reference = try ImageReference(parsing: image)
            let store = try global.imageStore()
            let (manifest, _) = try store.resolve(image)
            let client = try registry.client(for: reference.domain, global: global)
            if !quiet { print("The push refers to repository [\(reference.domain == ImageReference.defaultDomain ? "docker.io/" + reference.path : reference.domain + "/" + reference.path)]") }
            let (digest, size) = try client.push(manifest, from: store, as: reference) { event in
                guard !quiet else { return }
                switch event {
                case .pushed(let digest): print("\(digest.short): Pushed")
                case .alreadyExists(let digest): print("\(digest.short): Layer already exists")
                case .mounted(let digest, let repository): print("\(digest.short): Mounted from \(repository)")
                }
            }
            print(quiet ? reference.description : "\(reference.tag ?? "latest"): digest: \(digest) size: \(size)")
        }
    }
}
