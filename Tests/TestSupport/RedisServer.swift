import Foundation
import Redis
import Synchronization

/// A real `redis-server` child process on a free loopback port, so tests need
/// no running service. Servers still running when the test process exits are
/// killed by an `atexit` hook, and every server's data folder is removed then.
public final class RedisServer: Sendable {
    public let port: Int
    public let directory: URL
    private let appendOnly: Bool
    private let pid = Mutex<pid_t?>(nil)

    private init(port: Int, directory: URL, appendOnly: Bool) {
        self.port = port
        self.directory = directory
        self.appendOnly = appendOnly
    }

    /// Starts a private server. With `appendOnly`, every write is fsynced to
    /// an AOF in `directory`, so `restart()` loses nothing.
    public static func start(appendOnly: Bool = false) async throws -> RedisServer {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("decomposer-test-redis-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        RunningServers.removeAtExit(directory)
        var lastError: Error?
        for _ in 0..<5 {
            let server = RedisServer(port: try freeLoopbackPort(), directory: directory, appendOnly: appendOnly)
            do {
                try await server.launch()
                return server
            } catch {
                lastError = error
            }
        }
        throw lastError ?? TestSupportError("redis-server did not start")
    }

    public var url: String { "redis://127.0.0.1:\(port)/0" }

    public var configuration: RedisConfiguration {
        var configuration = RedisConfiguration(host: "127.0.0.1", port: port)
        configuration.connectTimeout = .seconds(1)
        return configuration
    }

    public func makeClient(poolSize: Int = 4) -> RedisClient {
        var configuration = configuration
        configuration.poolSize = poolSize
        return RedisClient(configuration: configuration)
    }

    /// Stops the server the way an operator would (SIGTERM: it flushes the AOF and exits).
    public func stop() {
        RunningServers.terminate(pid)
    }

    /// Starts the server again on the same port and data directory.
    public func restart() async throws {
        stop()
        try await launch()
    }

    private func launch() async throws {
        let binary = ["/usr/bin/redis-server", "/usr/local/bin/redis-server"]
            .first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let binary else {
            throw TestSupportError("redis-server is not installed (apt-get install -y redis-server)")
        }
        let arguments = [
            binary, "--port", String(port), "--bind", "127.0.0.1", "--daemonize", "no",
            "--save", "", "--dir", directory.path, "--logfile", directory.appendingPathComponent("redis.log").path,
            "--appendonly", appendOnly ? "yes" : "no", "--appendfsync", "always",
            "--maxmemory-policy", "noeviction",
        ]
        let child = try spawn(arguments)
        RunningServers.add(child)
        pid.withLock { $0 = child }

        let probe = RedisClient(configuration: configuration)
        defer { probe.shutdown() }
        let deadline = ContinuousClock.now + .seconds(15)
        while ContinuousClock.now < deadline {
            if RunningServers.reapIfExited(child, pid) {
                break
            }
            // The server answering must be our child, not another test's on a reused port.
            if let info = try? await probe.send("INFO", "server").string {
                guard info.contains("process_id:\(child)\r") else {
                    stop()
                    throw TestSupportError("port \(port) is served by another redis-server")
                }
                return
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        stop()
        throw TestSupportError("redis-server on port \(port) did not answer PING")
    }
}

/// posix_spawn, so the child is ours to signal and reap (Foundation's Process
/// can hang in waitUntilExit on Linux).
func spawn(_ arguments: [String]) throws -> pid_t {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
    // The child gets nothing of ours but stdio, closed in the child alone: an inherited pipe end
    // would keep another test's reader from ever seeing EOF, and an inherited end of the socket
    // Foundation's `Process` watches a child by would hide that child's exit. (Marking our
    // descriptors close-on-exec in this process instead raced with `Process.run` on another
    // thread: its child then lost that socket at exec, and Foundation's one reaper thread blocked in
    // `waitpid` on the live child, stalling every `waitUntilExit` of the run.)
    guard let closeFrom = addCloseFrom, closeFrom(&actions, 3) == 0 else {
        throw TestSupportError("posix_spawn_file_actions_addclosefrom_np is missing (glibc 2.34 or later)")
    }
    // Threads of the test process block signals; a child inherits the mask,
    // and redis-server would then never see SIGTERM. Start it with a clean one.
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var noSignals = sigset_t()
    sigemptyset(&noSignals)
    var allSignals = sigset_t()
    sigfillset(&allSignals)
    posix_spawnattr_setsigmask(&attributes, &noSignals)
    posix_spawnattr_setsigdefault(&attributes, &allSignals)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
    var cArguments = arguments.map { strdup($0) }
    cArguments.append(nil)
    defer { for argument in cArguments { free(argument) } }
    var child: pid_t = 0
    let result = posix_spawn(&child, arguments[0], &actions, &attributes, &cArguments, environ)
    guard result == 0 else { throw TestSupportError("posix_spawn \(arguments[0]) failed: \(result)") }
    return child
}

/// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34), which Swift's Glibc module does not
/// declare: looked up by name.
private let addCloseFrom: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32)? = {
    guard let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") else { return nil }
    return unsafeBitCast(symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self)
}()

/// One server for the whole test process; tests keep apart by key prefix.
public enum SharedRedis {
    private static let server = SharedServerBox()

    public static func server() async throws -> RedisServer { try await Self.server.get() }

    /// A key prefix (with its own hash tag) no other test uses.
    public static func uniquePrefix(_ label: String = "t") -> String {
        "{\(label)-\(UUID().uuidString.prefix(8))}"
    }
}

private actor SharedServerBox {
    /// A task, not the server: the actor is reentrant across the `await`, so
    /// concurrent first callers must all wait for the one start.
    private var starting: Task<RedisServer, any Error>?
    func get() async throws -> RedisServer {
        if let starting { return try await starting.value }
        let task = Task { try await RedisServer.start() }
        starting = task
        return try await task.value
    }
}

/// PIDs of servers to kill when the test process exits, even if a test forgot.
enum RunningServers {
    private static let pids = Mutex<Set<Int32>>([])
    private static let folders = Mutex<[URL]>([])
    private static let hook: Void = {
        atexit {
            for pid in RunningServers.snapshot() { kill(pid, SIGKILL) }
            // The servers' data folders in /tmp go with the test process (a test may restart a
            // server on its folder, so they outlive `stop()`).
            for folder in RunningServers.folders.withLock({ $0 }) { try? FileManager.default.removeItem(at: folder) }
        }
    }()

    /// Removes `folder` (a server's data) when the test process exits.
    static func removeAtExit(_ folder: URL) {
        _ = hook
        folders.withLock { $0.append(folder) }
    }

    /// Stops the child in `slot` (SIGTERM, as an operator would), waits for it to exit and
    /// forgets it; nothing when the slot is empty.
    static func terminate(_ slot: borrowing Mutex<pid_t?>) {
        guard let running = slot.withLock({ current -> pid_t? in
            defer { current = nil }
            return current
        }) else { return }
        kill(running, SIGTERM)
        var status: Int32 = 0
        _ = waitpid(running, &status, 0)
        remove(running)
    }

    /// True, and the child forgotten, when it has already exited (its port taken, a bad flag).
    static func reapIfExited(_ child: pid_t, _ slot: borrowing Mutex<pid_t?>) -> Bool {
        var status: Int32 = 0
        guard waitpid(child, &status, WNOHANG) == child else { return false }
        slot.withLock { $0 = nil }
        remove(child)
        return true
    }

    static func add(_ pid: Int32) {
        _ = hook
        pids.withLock { _ = $0.insert(pid) }
    }

    static func remove(_ pid: Int32) { pids.withLock { _ = $0.remove(pid) } }
    static func snapshot() -> Set<Int32> { pids.withLock { $0 } }
}

public struct TestSupportError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A loopback port nothing holds, for a server a test starts itself; see `LoopbackPorts`.
public func freeLoopbackPort() throws -> Int {
    try LoopbackPorts.take()
}
