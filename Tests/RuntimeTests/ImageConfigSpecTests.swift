@testable import Runtime
import XCTest

/// An image config becomes a container's process as `docker run IMAGE [COMMAND…]` makes it.
final class ImageConfigSpecTests: XCTestCase {
    func config(_ run: ImageConfig.RunConfig?) -> ImageConfig {
        ImageConfig(created: nil, architecture: "amd64", os: "linux", config: run,
                    rootfs: ImageConfig.RootFS(type: "layers", diff_ids: []), history: nil)
    }

    func process(_ run: ImageConfig.RunConfig?, _ given: [String]) throws -> Spec.Process {
        var spec = Spec.container(args: [], rootfs: "/rootfs", hostname: "box")
        try config(run).apply(to: &spec.process!, command: given)
        return spec.process!
    }

    func testCommandIsEntrypointThenTheGivenCommandOrCmd() throws {
        let run = ImageConfig.RunConfig(Cmd: ["-g", "daemon off;"], Entrypoint: ["nginx"])
        XCTAssertEqual(try process(run, []).args, ["nginx", "-g", "daemon off;"])
        XCTAssertEqual(try process(run, ["-t"]).args, ["nginx", "-t"], "a given command replaces Cmd, not Entrypoint")
        XCTAssertEqual(try process(ImageConfig.RunConfig(Cmd: ["sh"]), ["ls", "/"]).args, ["ls", "/"])
        XCTAssertEqual(try process(ImageConfig.RunConfig(Cmd: ["sh"]), []).args, ["sh"])
        XCTAssertThrowsError(try process(nil, [])) { error in
            XCTAssertEqual("\(error)", "the image has no command (no Entrypoint or Cmd) and none was given")
        }
    }

    func testEnvironmentIsLaidOverTheDefaultsByName() throws {
        let env = try process(ImageConfig.RunConfig(Env: ["PATH=/opt/bin", "LANG=C.UTF-8", "EMPTY="], Cmd: ["sh"]), []).env
        XCTAssertEqual(env, ["PATH=/opt/bin", "HOSTNAME=box", "TERM=xterm", "LANG=C.UTF-8", "EMPTY="])
        XCTAssertEqual(try process(ImageConfig.RunConfig(Cmd: ["sh"]), []).env, [Spec.defaultPath, "HOSTNAME=box", "TERM=xterm"],
                       "an image without Env keeps the default PATH")
    }

    func testWorkingDirectory() throws {
        var run = ImageConfig.RunConfig(Cmd: ["sh"])
        XCTAssertEqual(try process(run, []).cwd, "/")
        run.WorkingDir = "/srv/app"
        XCTAssertEqual(try process(run, []).cwd, "/srv/app")
        run.WorkingDir = "relative"
        XCTAssertThrowsError(try process(run, [])) { error in
            XCTAssertEqual("\(error)", "the working directory \"relative\" is invalid, it needs to be an absolute path")
        }
    }
}
