// swift-tools-version:6.0
//
// minidock: a container runtime you can read. See docs/architecture.md for the map.
import PackageDescription

let lessons = ["Lesson01", "Lesson02", "Lesson03", "Lesson04", "Lesson05", "Lesson09"]

let package = Package(
    name: "minidock",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "minidock", targets: ["minidock"]),
        .library(name: "Runtime", targets: ["Runtime"]),
    ] + lessons.map { .executable(name: $0, targets: [$0]) },
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-system", from: "1.4.0"),
    ],
    targets: [
        // The few pieces Swift cannot express: raw clone, pivot_root, wait-status macros,
        // async-signal-safe signal forwarding.
        .target(name: "CShim"),
        // libarchive (Debian's libarchive-dev), for layer tarballs: its header only, not linked.
        .systemLibrary(name: "CArchive", providers: [.apt(["libarchive-dev"])]),
        // OpenSSL's libcrypto (Debian's libssl-dev), for SHA-256 digests: its header only, not linked.
        .systemLibrary(name: "CCrypto", providers: [.apt(["libssl-dev"])]),
        // libarchive, libcrypto and libcurl loaded on first use (dlopen), not at every start:
        // most commands and every lesson's container start never call them.
        .target(name: "CLoader"),
        // libcurl (Debian's libcurl4-openssl-dev) behind typed setters Swift can call.
        .target(name: "CCurl", dependencies: ["CLoader"]),
        // The OCI distribution client: its own target so that lessons which never talk to a
        // registry do not link it.
        .target(
            name: "Registry",
            dependencies: ["Runtime", "CCurl", .product(name: "SystemPackage", package: "swift-system")]
        ),
        .target(
            name: "Runtime",
            dependencies: [
                "CShim",
                "CArchive",
                "CCrypto",
                "CLoader",
                .product(name: "SystemPackage", package: "swift-system"),
            ]
        ),
        // What every lesson shares: its command line shape, narration, and exit-code mapping.
        .target(
            name: "LessonKit",
            dependencies: [
                "Runtime",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "SystemPackage", package: "swift-system"),
            ]
        ),
        .executableTarget(
            name: "minidock",
            dependencies: [
                "Runtime",
                "Registry",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "SystemPackage", package: "swift-system"),
            ]
        ),
        .testTarget(
            name: "RuntimeTests",
            dependencies: ["Runtime", "CShim", .product(name: "SystemPackage", package: "swift-system")]
        ),
        // What the end-to-end tests share: a real registry started on 127.0.0.1.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        // Runs the lesson binaries as a learner would; depending on them makes `swift test` build them.
        .testTarget(name: "LessonTests", dependencies: lessons.map { .target(name: $0) } + ["minidock", "TestSupport"]),
        .testTarget(name: "MinidockTests", dependencies: ["minidock", "TestSupport"]),
        // The Runtime's cgroup code against a real cgroup v2 kernel: run inside the qemu guest
        // that `make test-v2` boots (scripts/cgroup-v2-vm), not on this hybrid host.
        .executableTarget(name: "CgroupV2Checks", dependencies: ["Runtime", .product(name: "SystemPackage", package: "swift-system")],
                          path: "Tests/CgroupV2Guest"),
    ] + lessons.map { .executableTarget(name: $0, dependencies: ["LessonKit"] + ($0 == "Lesson09" ? ["Registry"] : [])) },
    swiftLanguageModes: [.v5]
)
