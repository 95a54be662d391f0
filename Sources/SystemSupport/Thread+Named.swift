import Foundation

extension Thread {
    /// Starts a thread named `name` where the kernel shows it (`/proc/<pid>/task/*/comm`: `top -H`,
    /// `perf`, `gdb`), at most 15 bytes: on Linux, Foundation's `Thread.name` stays inside Foundation,
    /// so every thread of a process showed the process's name and a profile could not tell the Redis
    /// client's thread from libcurl's or the compute pool's.
    public static func startNamed(_ name: String, _ body: @escaping @Sendable () -> Void) {
        let thread = Thread {
            try? Data(name.utf8.prefix(15)).write(to: URL(fileURLWithPath: "/proc/thread-self/comm"))
            body()
        }
        thread.name = name
        thread.start()
    }
}
