import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif
import Registry
import Runtime

/// `minidock pull NAME[:TAG|@DIGEST]`: as `docker pull`, with a line per layer.
struct PullCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "pull", abstract: "Download an image from a registry.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var registry: RegistryOptions
    @Option(name: .long, help: "Set platform if server is multi-platform capable (os[/arch[/variant]], default linux/amd64).") var platform: String?
    @Flag(name: .shortAndLong, help: "Suppress verbose output.") var quiet = false
    @Argument var image: String

    func run() throws {
        global.apply()
        try dockerRequest {
            let reference = try ImageReference(parsing: image)
            let wanted = try platform.map { try Platform(parsing: $0) }
            let store = try global.imageStore()
            let client = try registry.client(for: reference.domain, global: global)
            let progress = PullProgress(quiet ? .silent : isatty(1) != 0 ? .terminal : .lines)
            if !quiet { print("\(reference.tag ?? reference.digest!.description): Pulling from \(reference.path)") }
            let (digest, downloaded) = try client.pull(reference, platform: wanted ?? .host, platformGiven: wanted != nil,
                                                       into: store) { event in progress.show(event) }
            let name = "\(reference.familiarRepository):\(reference.tag ?? reference.digest!.description)"
            if !quiet {
                print("Digest: \(digest)")
                print(downloaded ? "Status: Downloaded newer image for \(name)" : "Status: Image is up to date for \(name)")
            }
            print(reference)
        }
    }
}

/// A line per layer — on a terminal redrawn in place as bytes arrive, otherwise printed once
/// when the layer is done, so a log file gets no control characters.
final class PullProgress {
    enum Mode { case silent, lines, terminal }

    let mode: Mode
    var order: [Digest] = []
    var lines: [Digest: String] = [:]

    init(_ mode: Mode) { self.mode = mode }

    func show(_ event: RegistryClient.PullEvent) {
        let text: String
        switch event.kind {
        case .alreadyExists: text = "Already exists"
        case .downloading(let bytes, let total): text = "Downloading \(HumanSize.format(bytes))/\(HumanSize.format(total))"
        case .verifying: text = "Verifying Checksum"
        case .complete: text = "Pull complete"
        }
        switch mode {
        case .silent:
            return
        case .lines:
            switch event.kind {
            case .downloading, .verifying: return
            case .alreadyExists, .complete: print("\(event.layer.short): \(text)")
            }
        case .terminal:
            if lines[event.layer] == nil { order.append(event.layer) }
            guard lines[event.layer] != text else { return }
            // Move up over the lines drawn so far (all but the layer just added), redraw them all.
            let drawn = lines.count
            lines[event.layer] = text
            if drawn > 0 { print("\u{1B}[\(drawn)A", terminator: "") }
            for layer in order { print("\u{1B}[2K\(layer.short): \(lines[layer]!)") }
            fflush(stdout)
        }
    }
}
