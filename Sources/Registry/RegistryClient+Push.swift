import Foundation
import Runtime
import SystemPackage

extension RegistryClient {
    public enum PushEvent { case pushed(Digest), alreadyExists(Digest) }

    /// Push a stored image as `reference`: each blob the registry lacks is uploaded
    /// (`POST …/blobs/uploads/`, then one `PUT` with the whole blob and its digest), then the
    /// manifest. Returns the manifest's digest and size, as `docker push` prints them.
    public func push(_ manifestDigest: Digest, from store: ImageStore, as reference: ImageReference,
                     events: (PushEvent) -> Void = { _ in }) throws -> (digest: Digest, size: Int) {
        guard let tag = reference.tag else { throw RuntimeError("push \(reference): a tag is needed") }
        let scope = "repository:\(reference.path):pull,push"
        let manifestBytes = try store.readBlob(manifestDigest)
        let manifest = try store.manifest(manifestDigest)
        for descriptor in manifest.layers + [manifest.config] {
            let head = try send("HEAD", "/v2/\(reference.path)/blobs/\(descriptor.digest)", scope: scope)
            if head.status == 200 {
                events(.alreadyExists(descriptor.digest))
                continue
            }
            let start = try send("POST", "/v2/\(reference.path)/blobs/uploads/", scope: scope, body: [])
            guard start.status == 202, let location = start.header("location") else { throw failure(start, "upload \(descriptor.digest)") }
            let target = absolute(location)
            let finish = try send("PUT", "", scope: scope, body: try store.readBlob(descriptor.digest),
                                  absoluteURL: target + (target.contains("?") ? "&" : "?") + "digest=\(descriptor.digest)")
            guard finish.status == 201 else { throw failure(finish, "upload \(descriptor.digest)") }
            events(.pushed(descriptor.digest))
        }
        let put = try send("PUT", "/v2/\(reference.path)/manifests/\(tag)", scope: scope,
                           headers: [("Content-Type", manifest.mediaType ?? MediaType.ociManifest)], body: manifestBytes)
        guard put.status == 201 else { throw failure(put, "manifest \(reference.path):\(tag)") }
        return (manifestDigest, manifestBytes.count)
    }

    /// A Location header may be a path on the same registry.
    func absolute(_ location: String) -> String {
        location.hasPrefix("http://") || location.hasPrefix("https://") ? location : url(location)
    }
}
