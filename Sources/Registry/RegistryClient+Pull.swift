import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif
import Runtime
import SystemPackage

extension RegistryClient {
    /// Every manifest kind minidock reads, in the Accept header.
    static let acceptedManifests = [MediaType.ociManifest, MediaType.ociIndex, MediaType.dockerManifest,
                                    MediaType.dockerManifestList].joined(separator: ", ")

    public struct PullEvent {
        public enum Kind { case downloading(Int64, Int64), verifying, complete, alreadyExists }
        public var layer: Digest
        public var kind: Kind
    }

    /// Pull `reference` into `store`: resolve an index to `platform`, fetch the config and
    /// the missing layers (in parallel, streamed to disk while hashed), verify every digest and
    /// size, and only then tag it. Returns the registry's manifest digest and whether anything was new.
    ///
    /// `platformGiven`: the user asked for `platform` (`--platform`), so an image that is one
    /// manifest (no index to choose from) must be for it too, as Docker checks; without it an
    /// image for another platform is pulled, as Docker does.
    public func pull(_ reference: ImageReference, platform: Platform, platformGiven: Bool = false, into store: ImageStore,
                     events: (PullEvent) -> Void = { _ in }) throws -> (digest: Digest, downloaded: Bool) {
        let scope = "repository:\(reference.path):pull"
        let repository = "\(domain)/\(reference.path)"
        let (manifestBytes, mediaType, registryDigest) = try fetchManifest(reference.path, reference.digest?.description ?? reference.tag!,
                                                                          expected: reference.digest, scope: scope)
        var manifestData = manifestBytes
        var manifestType = mediaType
        let fromIndex = mediaType == MediaType.ociIndex || mediaType == MediaType.dockerManifestList
        if mediaType == MediaType.ociIndex || mediaType == MediaType.dockerManifestList {
            let chosen = try choose(platform, from: manifestData, in: reference)
            (manifestData, manifestType, _) = try fetchManifest(reference.path, chosen.description, expected: chosen, scope: scope)
        }
        guard MediaType.manifests.contains(manifestType) else {
            throw RuntimeError("\(reference): unsupported manifest media type \(quoted(manifestType))")
        }
        let manifest = try decode(ImageManifest.self, manifestData, "\(reference): manifest")
        for layer in manifest.layers where !MediaType.layers.contains(layer.mediaType) {
            throw RuntimeError("\(reference): unsupported layer media type \(quoted(layer.mediaType))")
        }
        guard MediaType.configs.contains(manifest.config.mediaType) else {
            throw RuntimeError("\(reference): unsupported config media type \(quoted(manifest.config.mediaType))")
        }

        let configBytes = try fetchBlob(reference.path, manifest.config, scope: scope)
        let config = try decode(ImageConfig.self, configBytes, "\(reference): config")
        if platformGiven && !fromIndex {
            // Before any layer is fetched: a refused image stores nothing.
            let actual = try decode(Platform.self, configBytes, "\(reference): config")
            guard platform.matches(actual) else {
                let name = "\(reference.familiarRepository):\(reference.tag ?? reference.digest?.description ?? "latest")"
                throw RuntimeError("image with reference \(name) was found but does not match the specified platform: "
                                   + "wanted \(platform.formatted), actual: \(actual.normalized.formatted)")
            }
        }
        guard config.rootfs.diff_ids.count == manifest.layers.count else {
            throw RuntimeError("\(reference): \(manifest.layers.count) layers but the config lists \(config.rootfs.diff_ids.count)")
        }

        // Layers the store already has (by their uncompressed digest) are not fetched again.
        var needed: [(index: Int, descriptor: Descriptor, file: FilePath)] = []
        for (index, (layer, diffID)) in zip(manifest.layers, config.rootfs.diff_ids).enumerated() {
            if store.hasBlob(diffID) {
                // Its compressed form, if the store has it, is in this repository too.
                try store.keepDistributed(nil, descriptor: layer, diffID: diffID, repository: repository)
                events(PullEvent(layer: layer.digest, kind: .alreadyExists))
            } else {
                needed.append((index, layer, store.temporaryPath("download")))
            }
        }
        defer { for item in needed { try? TreeWalk.remove(item.file) } }
        let results = try http.download(needed.map { item in
            HTTPClient.Download(request: HTTPRequest(url: url("/v2/\(reference.path)/blobs/\(item.descriptor.digest)"),
                                                     headers: authorizations[scope].map { [("Authorization", $0)] } ?? []),
                                file: item.file)
        }) { position, bytes in
            events(PullEvent(layer: needed[position].descriptor.digest, kind: .downloading(bytes, needed[position].descriptor.size)))
        }
        var storedLayers: [Descriptor] = []
        for (item, result) in zip(needed, results) {
            guard result.status == 200 else {
                throw RuntimeError("\(reference): layer \(item.descriptor.digest): \(domain) answered \(result.status)")
            }
            guard result.digest == item.descriptor.digest, result.size == item.descriptor.size else {
                throw RuntimeError("\(reference): layer \(item.descriptor.digest): received \(result.size) bytes with digest \(result.digest); refusing it")
            }
            events(PullEvent(layer: item.descriptor.digest, kind: .verifying))
            try store.adoptLayer(item.file, diffID: config.rootfs.diff_ids[item.index])
            // The blob as downloaded is kept too, so that a push gives the same digest (Docker's way).
            try store.keepDistributed(item.file, descriptor: item.descriptor, diffID: config.rootfs.diff_ids[item.index],
                                      repository: repository, hashed: (result.digest, result.size))
            events(PullEvent(layer: item.descriptor.digest, kind: .complete))
        }
        for diffID in config.rootfs.diff_ids {
            var info = stat()
            stat(store.blobPath(diffID).string, &info)
            storedLayers.append(Descriptor(mediaType: MediaType.ociLayer, digest: diffID, size: Int64(info.st_size)))
        }
        let configDigest = try store.putBlob(configBytes, expected: manifest.config.digest)
        let local = ImageManifest(config: Descriptor(mediaType: MediaType.ociConfig, digest: configDigest, size: Int64(configBytes.count)),
                                  layers: storedLayers)
        let localDigest = try store.putBlob(try ImageJSON.encodeForStore(local))
        try store.admit(localDigest)
        let before = try? store.resolve(reference.description).manifest
        try store.tag(reference, to: localDigest)
        return (registryDigest, before != localDigest)
    }

    func fetchManifest(_ path: String, _ name: String, expected: Digest?, scope: String) throws -> ([UInt8], String, Digest) {
        let response = try send("GET", "/v2/\(path)/manifests/\(name)", scope: scope, headers: [("Accept", Self.acceptedManifests)])
        if response.status == 404 {
            throw RuntimeError("manifest for \(domain)/\(path):\(name) not found: manifest unknown")
        }
        guard response.status == 200 else { throw failure(response, "manifest \(path):\(name)") }
        let digest = Digest.of(response.body)
        if let expected, expected != digest {
            throw RuntimeError("manifest \(path)@\(expected): content has digest \(digest); refusing it")
        }
        struct Peek: Decodable { var mediaType: String? }
        let declared = (try? JSONDecoder().decode(Peek.self, from: Data(response.body)))?.mediaType
        let type = declared ?? response.header("content-type")?.split(separator: ";").first.map(String.init) ?? ""
        return (response.body, type, digest)
    }

    func fetchBlob(_ path: String, _ descriptor: Descriptor, scope: String) throws -> [UInt8] {
        let response = try send("GET", "/v2/\(path)/blobs/\(descriptor.digest)", scope: scope)
        guard response.status == 200 else { throw failure(response, "blob \(descriptor.digest)") }
        guard Digest.of(response.body) == descriptor.digest, Int64(response.body.count) == descriptor.size else {
            throw RuntimeError("blob \(descriptor.digest): content does not match its digest and size; refusing it")
        }
        return response.body
    }

    func choose(_ platform: Platform, from indexBytes: [UInt8], in reference: ImageReference) throws -> Digest {
        struct Index: Decodable { var manifests: [Descriptor] }
        let index = try decode(Index.self, indexBytes, "\(reference): index")
        let match = index.manifests.first { $0.platform.map(platform.matches) ?? false }
        guard let match else {
            throw RuntimeError("\(reference): no matching manifest for \(platform.formatted) in the manifest list entries")
        }
        return match.digest
    }

    func decode<T: Decodable>(_ type: T.Type, _ bytes: [UInt8], _ what: String) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(bytes))
        } catch {
            throw RuntimeError("\(what): invalid JSON")
        }
    }
}
