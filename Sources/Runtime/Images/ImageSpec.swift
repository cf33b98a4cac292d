import FoundationEssentials

/// The OCI image-spec model (and Docker schema 2, which uses the same fields with other
/// media types): a manifest lists a config blob and layer blobs by descriptor.
public enum MediaType {
    public static let ociManifest = "application/vnd.oci.image.manifest.v1+json"
    public static let ociIndex = "application/vnd.oci.image.index.v1+json"
    public static let ociConfig = "application/vnd.oci.image.config.v1+json"
    public static let ociLayer = "application/vnd.oci.image.layer.v1.tar"
    public static let ociLayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip"
    public static let ociLayerZstd = "application/vnd.oci.image.layer.v1.tar+zstd"
    public static let dockerManifest = "application/vnd.docker.distribution.manifest.v2+json"
    public static let dockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json"
    public static let dockerConfig = "application/vnd.docker.container.image.v1+json"
    public static let dockerLayer = "application/vnd.docker.image.rootfs.diff.tar"
    public static let dockerLayerGzip = "application/vnd.docker.image.rootfs.diff.tar.gzip"

    public static let layers: Set<String> = [ociLayer, ociLayerGzip, ociLayerZstd, dockerLayer, dockerLayerGzip]
    public static let manifests: Set<String> = [ociManifest, dockerManifest]
    public static let configs: Set<String> = [ociConfig, dockerConfig]
}

/// A pointer to a blob: its media type, digest and size.
public struct Descriptor: Codable, Equatable, Sendable {
    public var mediaType: String
    public var digest: Digest
    public var size: Int64
    public var annotations: [String: String]?
    public var platform: Platform?

    public init(mediaType: String, digest: Digest, size: Int64, annotations: [String: String]? = nil) {
        self.mediaType = mediaType
        self.digest = digest
        self.size = size
        self.annotations = annotations
    }
}

public struct Platform: Codable, Equatable, Sendable {
    public var architecture: String
    public var os: String
    public var variant: String?

    public init(architecture: String, os: String, variant: String? = nil) {
        self.architecture = architecture
        self.os = os
        self.variant = variant
    }
}

public struct ImageManifest: Codable, Equatable, Sendable {
    public var schemaVersion: Int
    public var mediaType: String?
    public var config: Descriptor
    public var layers: [Descriptor]

    public init(config: Descriptor, layers: [Descriptor], mediaType: String = MediaType.ociManifest) {
        self.schemaVersion = 2
        self.mediaType = mediaType
        self.config = config
        self.layers = layers
    }
}

/// The image config: how to run it and what its layers are (by uncompressed digest).
public struct ImageConfig: Codable, Equatable, Sendable {
    public var created: String?
    public var architecture: String
    public var os: String
    public var config: RunConfig?
    public var rootfs: RootFS
    public var history: [History]?

    public struct RunConfig: Codable, Equatable, Sendable {
        public var Env: [String]?
        public var Cmd: [String]?
        public var Entrypoint: [String]?
        public var WorkingDir: String?
        public var User: String?
        public var Labels: [String: String]?

        public init(Env: [String]? = nil, Cmd: [String]? = nil, Entrypoint: [String]? = nil) {
            self.Env = Env
            self.Cmd = Cmd
            self.Entrypoint = Entrypoint
        }
    }

    public struct RootFS: Codable, Equatable, Sendable {
        public var type: String
        /// The sha256 of each layer's *uncompressed* tar, bottom first.
        public var diff_ids: [Digest]
    }

    public struct History: Codable, Equatable, Sendable {
        public var created: String?
        public var created_by: String?
        public var comment: String?
        public var empty_layer: Bool?
    }
}

public enum ImageJSON {
    /// The stable encoding the store uses for manifests and configs it writes itself.
    public static func encodeForStore<T: Encodable>(_ value: T) throws -> [UInt8] { try encode(value) }

    static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(value))
    }

    static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8], what: String) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(bytes))
        } catch let error as DecodingError {
            throw RuntimeError("\(what): \(error.oneLineSummary)")
        }
    }
}
