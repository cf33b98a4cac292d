#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import Runtime

// A reader that goes away (`minidock images | head -1`) must not kill us mid-command with
// SIGPIPE before we clean up: ignored, a write fails with EPIPE instead, an ordinary error.
// (A container's process gets SIGPIPE's default back before it execs.)
BrokenPipe.ignore()

// Run as `minidock-runc` (the symlink `make` installs) or as `minidock runtime`: runc's command
// line, whose global options come before the command and whose errors exit 1.
/// Run a face's command line and exit as that face does: a `RuntimeError` is one line through
/// `report` and its exit code; `--help` prints and exits 0; a bad flag is one line and `failure`.
func runFace<Command: ParsableCommand>(_ face: Command.Type, _ arguments: [String]?, failure: Int32,
                                       exitCode: (RuntimeError) -> Int32, report: (String) -> Void) -> Never {
    do {
        var command = try face.parseAsRoot(arguments)
        try command.run()
        exit(0)
    } catch let error as RuntimeError {
        report(error.message)
        exit(exitCode(error))
    } catch {
        if face.exitCode(for: error) == .success {
            print(face.fullMessage(for: error))
            exit(0)
        }
        if let code = error as? ArgumentParser.ExitCode { exit(code.rawValue) }
        report(face.message(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)")
        exit(failure)
    }
}

// Run as `minidock-runc` (the symlink `make` installs) or as `minidock runtime`: runc's command
// line, whose global options come before the command and whose errors exit 1.
let invokedAs = CommandLine.arguments.first.map { String($0.split(separator: "/").last ?? "") } ?? ""
if invokedAs == "minidock-runc" || CommandLine.arguments.dropFirst().first == "runtime" {
    var arguments = Array(CommandLine.arguments.dropFirst(invokedAs == "minidock-runc" ? 1 : 2))
    do {
        try RuntimeGlobals.extract(&arguments)
    } catch let error as RuntimeError {
        RuntimeGlobals.current.report(error.message)
        exit(1)
    }
    runFace(RuntimeCommand.self, arguments, failure: 1, exitCode: { _ in 1 }, report: { RuntimeGlobals.current.report($0) })
}

// Docker's exit codes: a minidock error, including a bad flag, is 125 with one line on stderr.
runFace(Minidock.self, nil, failure: ExitCode.runtimeFailure, exitCode: \.exitCode, report: { fputs("minidock: \($0)\n", stderr) })
