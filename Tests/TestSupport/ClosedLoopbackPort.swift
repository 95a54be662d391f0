import Foundation

/// A loopback port where nothing listens, for as long as this value lives: the socket is bound
/// but never listening, so connecting is refused at once, and no server another test starts
/// meanwhile can take the port (a merely "free" port can be taken between choosing and using it).
public final class ClosedLoopbackPort: Sendable {
    public let port: Int
    private let descriptor: Int32

    public init() throws {
        (descriptor, port) = try LoopbackSocket.bound()
    }

    /// `http://127.0.0.1:<port>`.
    public var url: String { "http://127.0.0.1:\(port)" }

    deinit { close(descriptor) }
}
