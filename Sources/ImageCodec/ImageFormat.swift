/// The encodings this module reads and writes: PNG for layers that need
/// transparency, JPEG for opaque posters where size matters.
public enum ImageFormat: String, Sendable, Hashable, CaseIterable {
    case png
    case jpeg

    /// The media type for storage and HTTP `Content-Type`.
    public var mimeType: String {
        switch self {
        case .png: "image/png"
        case .jpeg: "image/jpeg"
        }
    }
}
