import Foundation

/// One page of a listing (`storage#objects`): its objects and the token of the next page, if any.
public struct ObjectPage: Sendable, Equatable {
    public var objects: [StoredObject]
    /// Pass to `listPage(prefix:pageToken:)` for the next page; nil on the last one.
    public var nextPageToken: String?

    static func decode(_ body: [UInt8], removingPrefix prefix: String) throws(CloudStorageError) -> ObjectPage {
        struct Listing: Decodable {
            let items: [StoredObject.Resource]?
            let nextPageToken: String?
        }
        let listing: Listing
        do {
            listing = try JSONDecoder().decode(Listing.self, from: Data(body))
        } catch {
            throw .malformedReply("not an object listing: \(ErrorBody.excerpt(body))")
        }
        var objects: [StoredObject] = []
        for item in listing.items ?? [] { objects.append(try item.object(removingPrefix: prefix)) }
        let token = listing.nextPageToken.flatMap { $0.isEmpty ? nil : $0 }
        return ObjectPage(objects: objects, nextPageToken: token)
    }
}
