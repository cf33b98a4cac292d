/// An image's config turned into the process a container runs, as `docker run IMAGE [COMMAND…]`
/// does it — once, for Lesson09 and for `minidock run`.
///
/// - The command is the image's `Entrypoint` followed by the given command, or by the image's
///   `Cmd` when none is given (a given command replaces `Cmd`, never `Entrypoint`).
/// - The environment is the runtime's defaults (`PATH`, `HOSTNAME`, `TERM`) with the image's
///   `Env` laid over them by name: an image that sets `PATH` replaces the default one, other
///   names are added in the image's order (Docker's `ReplaceOrAppendEnvValues`).
/// - The working directory is the image's `WorkingDir` when it sets one, else `/`; it must be
///   absolute, as Docker requires.
/// - (`User` comes with `minidock run`: a name needs the image's /etc/passwd, resolved inside
///   its root.)
extension ImageConfig {
    public func apply(to process: inout Spec.Process, command given: [String]) throws {
        let run = config ?? RunConfig()
        let args = (run.Entrypoint ?? []) + (given.isEmpty ? run.Cmd ?? [] : given)
        guard !args.isEmpty else {
            throw RuntimeError("the image has no command (no Entrypoint or Cmd) and none was given", exitCode: ExitCode.runtimeFailure)
        }
        process.args = args
        process.env = Self.overlay(run.Env ?? [], on: process.env ?? [])
        if let directory = run.WorkingDir, !directory.isEmpty {
            guard directory.hasPrefix("/") else {
                throw RuntimeError("the working directory \(quoted(directory)) is invalid, it needs to be an absolute path")
            }
            process.cwd = directory
        }
    }

    /// `KEY=value` entries of `values` replace those of `defaults` with the same KEY, in place;
    /// the rest are appended.
    static func overlay(_ values: [String], on defaults: [String]) -> [String] {
        func key(_ entry: String) -> Substring { entry.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)[0] }
        var result = defaults
        for entry in values {
            if let index = result.firstIndex(where: { key($0) == key(entry) }) {
                result[index] = entry
            } else {
                result.append(entry)
            }
        }
        return result
    }
}
