import FoundationEssentials
import Runtime
import SystemPackage

extension RegistryClient {
    public enum PushEvent { case pushed(Digest), alreadyExists(Digest), mounted(Digest, from: String) }

    /// Push a stored image as `reference`, as Docker does: each layer goes as a compressed blob —
    /// the very blob a pull downloaded when the store has it (so the digests are the ones the
    /// image had), else the layer gzipped once and kept. A blob the registry has is skipped; one
    /// another repository of the same registry has is mounted from it (`POST …/blobs/uploads/
    /// ?mount=…&from=…`); any other is uploaded (`POST …/blobs/uploads/`, then one `PUT` with
    /// the whole blob and its digest). Then the manifest that lists those blobs. Returns the
    /// manifest's digest and size, as `docker push` prints them.
    public func push(_ manifestDigest: Digest, from store: ImageStore, as reference: ImageReference,
                     events: (PushEvent) -> Void = { _ in }) throws -> (digest: Digest, size: Int) {
        guard let tag = reference.tag else { throw RuntimeError("push \(reference): a tag is needed") }
        let scope = "repository:\(reference.path):pull,push"
        let repository = "\(domain)/\(reference.path)"
        let manifest = try store.manifest(manifestDigest)
        let diffIDs = try store.config(manifest.config.digest).rootfs.diff_ids
        var layers: [Descriptor] = []
        for diffID in diffIDs {
            let layer = try distributed(diffID, in: store, for: repository)
            let mountable = layer.repositories.first { $0 != repository && $0.hasPrefix(domain + "/") }
            try upload(layer.descriptor, from: store, to: reference.path, scope: scope,
                       mountFrom: mountable.map { String($0.dropFirst(domain.count + 1)) }, events: events)
            try store.keepDistributed(nil, descriptor: layer.descriptor, diffID: diffID, repository: repository)
            layers.append(Descriptor(mediaType: Self.ociMediaType(layer.mediaType), digest: layer.digest, size: layer.size))
        }
        try upload(manifest.config, from: store, to: reference.path, scope: scope, mountFrom: nil, events: { _ in })
        let pushed = ImageManifest(config: manifest.config, layers: layers)
        let manifestBytes = try ImageJSON.encodeForStore(pushed)
        let put = try send("PUT", "/v2/\(reference.path)/manifests/\(tag)", scope: scope,
                           headers: [("Content-Type", MediaType.ociManifest)], body: manifestBytes)
        guard put.status == 201 else { throw failure(put, "manifest \(reference.path):\(tag)") }
        return (Digest.of(manifestBytes), manifestBytes.count)
    }

    /// The compressed form to push for a layer: one this registry is known to have (best, in
    /// this very repository), else any the store keeps, else the layer gzipped now.
    func distributed(_ diffID: Digest, in store: ImageStore, for repository: String) throws -> DistributedLayer {
        let known = try store.distributedLayers(of: diffID).filter { MediaType.layers.contains($0.mediaType) }
        if let best = known.first(where: { $0.repositories.contains(repository) })
            ?? known.first(where: { $0.repositories.contains { $0.hasPrefix(domain + "/") } }) ?? known.first {
            return best
        }
        return try store.gzipLayer(diffID)
    }

    /// The manifest minidock pushes is an OCI one; a layer pulled under Docker's media type is
    /// the same bytes under the OCI name.
    static func ociMediaType(_ type: String) -> String {
        switch type {
        case MediaType.dockerLayerGzip: MediaType.ociLayerGzip
        case MediaType.dockerLayer: MediaType.ociLayer
        default: type
        }
    }

    func upload(_ descriptor: Descriptor, from store: ImageStore, to path: String, scope: String, mountFrom: String?,
                events: (PushEvent) -> Void) throws {
        let head = try send("HEAD", "/v2/\(path)/blobs/\(descriptor.digest)", scope: scope)
        if head.status == 200 {
            events(.alreadyExists(descriptor.digest))
            return
        }
        var start: HTTPResponse?
        if let mountFrom {
            let mount = try send("POST", "/v2/\(path)/blobs/uploads/?mount=\(descriptor.digest)&from=\(mountFrom)", scope: scope, body: [])
            if mount.status == 201 {
                events(.mounted(descriptor.digest, from: mountFrom))
                return
            }
            // 202: the registry could not mount (the source lost it, or no permission) and
            // opened an ordinary upload instead.
            if mount.status == 202 { start = mount }
        }
        let session = try start ?? send("POST", "/v2/\(path)/blobs/uploads/", scope: scope, body: [])
        guard session.status == 202, let location = session.header("location") else { throw failure(session, "upload \(descriptor.digest)") }
        let target = absolute(location)
        let finish = try send("PUT", "", scope: scope, body: try store.readBlob(descriptor.digest),
                              absoluteURL: target + (target.contains("?") ? "&" : "?") + "digest=\(descriptor.digest)")
        guard finish.status == 201 else { throw failure(finish, "upload \(descriptor.digest)") }
        events(.pushed(descriptor.digest))
    }

    /// A Location header may be a path on the same registry.
    func absolute(_ location: String) -> String {
        location.hasPrefix("http://") || location.hasPrefix("https://") ? location : url(location)
    }
}
