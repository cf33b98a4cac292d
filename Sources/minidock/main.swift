#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import Runtime

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
