import Hummingbird
import Synchronization

/// The methods each route pattern answers, so that a path the router knows,
/// asked with a method it does not answer, gets 405 with `Allow` (RFC 9110
/// §15.5.6) instead of the router's 404. Hummingbird's router answers both
/// with the same "not found"; this table tells them apart.
///
/// Middleware is added before the routes it wraps, so the table is filled
/// after them (`load`), once; it is read only when the router found nothing.
final class RouteMethods: Sendable {
    private let routes = Mutex<[(path: RouterPath, methods: [HTTPRequest.Method])]>([])

    init() {}

    func load<Context: RequestContext>(_ descriptions: [Router<Context>.RouteDescription]) {
        var table: [(path: RouterPath, methods: [HTTPRequest.Method])] = []
        for description in descriptions {
            if let index = table.firstIndex(where: { $0.path.description == description.path.description }) {
                table[index].methods.append(description.method)
            } else {
                table.append((description.path, [description.method]))
            }
        }
        routes.withLock { $0 = table }
    }

    /// Whether `pattern` (a request's endpoint path, as the router records it) is one of the routes.
    func isRoute(_ pattern: String?) -> Bool {
        guard let pattern else { return false }
        return routes.withLock { $0.contains { $0.path.description == pattern } }
    }

    /// The methods of every route pattern `path` matches, sorted; empty when
    /// none does (a plain 404).
    func allowed(forPath path: String) -> [HTTPRequest.Method] {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true)
        let methods = routes.withLock { routes in
            routes.filter { Self.matches($0.path, segments) }.flatMap(\.methods)
        }
        var seen: Set<String> = []
        return methods.sorted { $0.rawValue < $1.rawValue }.filter { seen.insert($0.rawValue).inserted }
    }

    private static func matches(_ pattern: RouterPath, _ segments: [Substring]) -> Bool {
        for (index, element) in pattern.components.enumerated() {
            if element == .recursiveWildcard { return true }
            guard index < segments.count, element ~= segments[index] else { return false }
        }
        return pattern.components.count == segments.count
    }
}
