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
let invokedAs = CommandLine.arguments.first.map { String($0.split(separator: "/").last ?? "") } ?? ""
if invokedAs == "minidock-runc" || CommandLine.arguments.dropFirst().first == "runtime" {
    var arguments = Array(CommandLine.arguments.dropFirst(invokedAs == "minidock-runc" ? 1 : 2))
    do {
        try RuntimeGlobals.extract(&arguments)
        var command = try RuntimeCommand.parseAsRoot(arguments)
        try command.run()
        exit(0)
    } catch let error as RuntimeError {
        RuntimeGlobals.current.report(error.message)
        exit(1)
    } catch {
        let code = RuntimeCommand.exitCode(for: error)
        if code == .success {
            print(RuntimeCommand.fullMessage(for: error))
            exit(0)
        }
        if let exitCode = error as? ArgumentParser.ExitCode { exit(exitCode.rawValue) }
        let message = RuntimeCommand.message(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
        RuntimeGlobals.current.report(message)
        exit(1)
    }
}

// Docker's exit codes: a minidock error, including a bad flag, is 125 with one line on stderr.
do {
    var command = try Minidock.parseAsRoot()
    try command.run()
} catch let error as RuntimeError {
    fputs("minidock: \(error.message)\n", stderr)
    exit(error.exitCode)
} catch {
    let code = Minidock.exitCode(for: error)
    if code == .success {
        print(Minidock.fullMessage(for: error))
        exit(0)
    }
    if let exitCode = error as? ArgumentParser.ExitCode { exit(exitCode.rawValue) }
    let message = Minidock.message(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
    fputs("minidock: \(message)\n", stderr)
    exit(ExitCode.runtimeFailure)
}
