import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif
import Runtime

/// `minidock info`: the host facts that decide what minidock can do, in `docker info`'s words.
struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "info", abstract: "Display system-wide information.")

    @OptionGroup var global: GlobalOptions

    func run() throws {
        global.apply()
        let host = HostInfo.current()
        let cgroups = CgroupMode.detect()
        print("""
        Server:
         Storage Driver: overlay
         Cgroup Driver: cgroupfs
         Cgroup Version: \(cgroups.dockerVersion)
         Cgroup Mode: \(cgroups.rawValue)
         Kernel Version: \(host.kernelRelease)
         Operating System: \(host.operatingSystem)
         OSType: linux
         Architecture: \(host.machine)
         CPUs: \(host.cpus)
         Total Memory: \(host.totalMemory)
         Name: \(host.name)
         Minidock Root Dir: \(global.storageRoot)
        """)
    }
}
