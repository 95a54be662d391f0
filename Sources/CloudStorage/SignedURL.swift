import Foundation

/// A V4 signed URL for a GET of one object, and when it stops working.
public struct SignedURL: Sendable, Equatable {
    public let url: String
    public let expires: Date

    public init(url: String, expires: Date) {
        self.url = url
        self.expires = expires
    }
}
