/// An upload as stored: its name (a path or an object name), size and version (modification time in
/// ns on disk, the object's generation in a bucket), which change when the bytes could have.
public struct StoredUpload: Sendable, Hashable {
    public let name: String
    public let size: Int
    public let version: Int64

    public init(name: String, size: Int, version: Int64) {
        self.name = name
        self.size = size
        self.version = version
    }
}
