import Foundation

/// Where and how to connect, parsed from a `redis://[user:password@]host[:port][/db]` URL.
public struct RedisConfiguration: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var username: String?
    public var password: String?
    public var database: Int
    /// Bound on connecting, so a dead host fails a command instead of hanging it.
    public var connectTimeout: Duration
    /// Bound on one non-blocking command (or pipeline) round trip.
    public var commandTimeout: Duration
    /// Connections in the shared pool; each has its own thread.
    public var poolSize: Int

    public init(
        host: String = "127.0.0.1",
        port: Int = 6379,
        username: String? = nil,
        password: String? = nil,
        database: Int = 0,
        connectTimeout: Duration = .seconds(2),
        commandTimeout: Duration = .seconds(10),
        poolSize: Int = 2
    ) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.connectTimeout = connectTimeout
        self.commandTimeout = commandTimeout
        self.poolSize = poolSize
    }

    /// Parses a Redis URL; the error says what part is wrong.
    public init(url: String) throws(RedisURLError) {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased() else {
            throw RedisURLError("'\(url)' is not a URL; expected redis://[user:password@]host[:port][/db]")
        }
        guard scheme == "redis" else {
            throw RedisURLError("scheme '\(scheme)' is not supported; expected redis:// (TLS is not available with this hiredis)")
        }
        var host = components.host ?? ""
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else {
            throw RedisURLError("'\(url)' has no host; expected redis://host[:port][/db]")
        }
        let port = components.port ?? 6379
        guard (1...65535).contains(port) else { throw RedisURLError("port \(port) is out of range 1-65535") }
        var database = 0
        let path = components.path.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        if !path.isEmpty {
            guard let db = Int(path), db >= 0 else {
                throw RedisURLError("database '\(path)' is not a non-negative integer")
            }
            database = db
        }
        let user = components.user.flatMap { $0.isEmpty ? nil : $0 }
        let secret = components.password.flatMap { $0.isEmpty ? nil : $0 }
        // `redis://secret@host`: a lone user part is the password, as redis-cli reads it.
        self.init(host: host, port: port,
                  username: secret == nil ? nil : user,
                  password: secret ?? user,
                  database: database)
    }

    /// The URL without the password, for logs.
    public var redactedDescription: String {
        let auth = password == nil ? "" : "\(username ?? ""):***@"
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return "redis://\(auth)\(shownHost):\(port)/\(database)"
    }
}

/// A `REDIS_URL` that cannot be used, with the reason.
public struct RedisURLError: Error, Sendable, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
