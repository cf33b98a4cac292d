import ArgumentParser
import Runtime

/// `minidock tag SOURCE TARGET`: another name for the same image.
struct TagCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tag", abstract: "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE.")

    @OptionGroup var global: GlobalOptions
    @Argument var source: String
    @Argument var target: String

    func run() throws {
        global.apply()
        try dockerRequest {
            let store = try global.imageStore()
            let targetReference = try ImageReference(parsing: target)
            guard targetReference.digest == nil else { throw RuntimeError("refusing to create a tag with a digest reference") }
            try store.tag(targetReference, to: try store.resolve(source).manifest)
        }
    }
}
