#if canImport(Glibc)
import Glibc
#endif
import SystemPackage

/// A layer as a registry has it: compressed, under its own digest, and where it came from.
public struct DistributedLayer: Codable, Equatable, Sendable {
    /// The digest and size of the compressed blob (what a manifest lists), not the diff ID.
    public var digest: Digest
    public var size: Int64
    public var mediaType: String
    /// Repositories known to hold it (`127.0.0.1:5000/library/busybox`): `push` to another
    /// repository of the same registry mounts it from one of these instead of uploading.
    public var repositories: [String]

    public init(digest: Digest, size: Int64, mediaType: String, repositories: [String]) {
        self.digest = digest
        self.size = size
        self.mediaType = mediaType
        self.repositories = repositories
    }

    public var descriptor: Descriptor { Descriptor(mediaType: mediaType, digest: digest, size: size) }
}

/// What Docker keeps of a pull so that a push gives the same digests: the compressed blob of
/// each layer, beside the plain tar the store runs from, recorded by diff ID in
/// `images/distribution.json` (diff ID hex → [DistributedLayer]). A pulled layer pushed again
/// is the same blob under the same digest; it is uploaded only where the registry lacks it,
/// and mounted across repositories of one registry. The compressed blobs live as long as some
/// image uses their layer (garbage collection keeps them by diff ID).
extension ImageStore {
    var distributionFile: FilePath { root.appending("distribution.json") }

    func distributionTable() throws -> [String: [DistributedLayer]] {
        guard access(distributionFile.string, F_OK) == 0 else { return [:] }
        return try ImageJSON.decode([String: [DistributedLayer]].self, from: try FileContents.read(distributionFile, traced: false),
                                    what: quoted(distributionFile.string))
    }

    /// Keep `compressed` (a file in tmp/ that a pull verified against `descriptor`; nil when
    /// the blob is stored already) as the distributed form of layer `diffID`, and note that
    /// `repository` holds it. Takes the store's lock: do not call from inside `locked`.
    public func keepDistributed(_ compressed: FilePath?, descriptor: Descriptor, diffID: Digest, repository: String?,
                                hashed: (digest: Digest, size: Int64)? = nil) throws {
        if let compressed, !hasBlob(descriptor.digest) {
            try adoptBlob(compressed, expected: descriptor.digest, hashed: hashed)
        }
        guard hasBlob(descriptor.digest) else { return }
        try locked {
            var table = try distributionTable()
            var known = table[diffID.hex] ?? []
            if let index = known.firstIndex(where: { $0.digest == descriptor.digest }) {
                guard let repository, !known[index].repositories.contains(repository) else { return }
                known[index].repositories.append(repository)
            } else {
                known.append(DistributedLayer(digest: descriptor.digest, size: descriptor.size, mediaType: descriptor.mediaType,
                                              repositories: repository.map { [$0] } ?? []))
            }
            table[diffID.hex] = known
            let staging = temporaryPath("distribution")
            try FileContents.write(try ImageJSON.encode(table), to: staging, create: true)
            try rename(staging, to: distributionFile)
        }
    }

    /// The stored compressed forms of layer `diffID`.
    public func distributedLayers(of diffID: Digest) throws -> [DistributedLayer] {
        try (distributionTable()[diffID.hex] ?? []).filter { hasBlob($0.digest) }
    }

    /// A gzip form of a layer the store has only as a plain tar, made once and kept.
    public func gzipLayer(_ diffID: Digest) throws -> DistributedLayer {
        let staging = temporaryPath("gzip")
        do {
            try Compressor.gzip(blobPath(diffID), to: staging)
            let (digest, size) = try adoptBlob(staging)
            let descriptor = Descriptor(mediaType: MediaType.ociLayerGzip, digest: digest, size: size)
            try keepDistributed(nil, descriptor: descriptor, diffID: diffID, repository: nil)
            return DistributedLayer(digest: digest, size: size, mediaType: MediaType.ociLayerGzip, repositories: [])
        } catch {
            try? TreeWalk.remove(staging)
            throw error
        }
    }

    /// The compressed blobs (hex) of the given layers, which garbage collection keeps.
    func distributedBlobs(of diffIDs: Set<String>) throws -> Set<String> {
        Set(try distributionTable().filter { diffIDs.contains($0.key) }.values.joined().map(\.digest.hex))
    }
}
