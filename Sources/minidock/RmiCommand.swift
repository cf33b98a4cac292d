import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif
import Runtime

/// `minidock rmi IMAGE…`: untag, and delete what no tag uses any more, as `docker rmi`.
struct RmiCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rmi", abstract: "Remove one or more images.")

    @OptionGroup var global: GlobalOptions
    @Flag(name: .shortAndLong, help: "Force removal of the image.") var force = false
    @Argument(help: "Images, by name or ID.") var images: [String]

    func validate() throws {
        if images.isEmpty { throw ValidationError("\"rmi\" requires at least 1 argument") }
    }

    func run() throws {
        global.apply()
        // An image a running container uses (Lesson09's, for now; minidock's own containers
        // arrive with Lesson10) is refused unless --force.
        try dockerRequest {
            let store = try global.imageStore()
            // Like docker: each image on its own; one that fails does not stop the others.
            var failed = false
            for image in images {
                do {
                    let (untagged, deleted) = try store.remove(image, force: force)
                    untagged.forEach { print("Untagged: \($0.familiarRepository):\($0.tag ?? "")") }
                    deleted.forEach { print("Deleted: \($0)") }
                } catch let error as RuntimeError {
                    failed = true
                    fputs("Error response from daemon: \(error.message)\n", stderr)
                }
            }
            if failed { throw ExitCode(1) }
        }
    }
}
