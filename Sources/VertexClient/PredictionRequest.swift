import Foundation

/// One prediction call: the poster and how to split it.
///
/// Wire format (one instance per call):
/// `{"instances":[{"image":"<base64>","layers":<int>,"resolution":<int>}]}`.
/// The body is assembled by hand rather than with `JSONEncoder`: the only
/// string is base64 (never needs escaping), and a ~1.5 MB image would otherwise
/// be copied through a `String` and an escaping pass. Building it costs one
/// base64 buffer and one body buffer, each allocated once at its final size.
public struct PredictionRequest: Sendable, Equatable {
    /// `Content-Type` of `body()`.
    public static let contentType = "application/json"

    /// The encoded image file (PNG/JPEG/WebP bytes), sent as-is.
    public let image: Data
    /// How many layers the model should produce.
    public let layers: Int
    /// The model's working resolution (longest side, in pixels).
    public let resolution: Int

    public init(image: Data, layers: Int, resolution: Int) {
        self.image = image
        self.layers = layers
        self.resolution = resolution
    }

    public init(image: [UInt8], layers: Int, resolution: Int) {
        self.init(image: Data(image), layers: layers, resolution: resolution)
    }

    /// The JSON body. Standard base64 with padding and no line breaks.
    public func body() -> Data {
        let (prefix, suffix) = envelope
        // `base64EncodedData` gives ASCII bytes directly, no String in between.
        let encoded = image.base64EncodedData()
        var body = Data(capacity: prefix.count + encoded.count + suffix.count)
        body.append(contentsOf: prefix)
        body.append(encoded)
        body.append(contentsOf: suffix)
        return body
    }

    /// The exact size of `body()` without building it, so an oversized
    /// request can be refused (`VertexError.requestTooLarge`) before any work.
    public var bodyByteCount: Int {
        Self.bodyByteCount(imageBytes: image.count, layers: layers, resolution: resolution)
    }

    /// The body size for an image of `imageBytes`, before the request exists
    /// (image preparation sizes its output with it).
    public static func bodyByteCount(imageBytes: Int, layers: Int, resolution: Int) -> Int {
        let (prefix, suffix) = envelope(layers: layers, resolution: resolution)
        return prefix.count + (imageBytes + 2) / 3 * 4 + suffix.count
    }

    private var envelope: (prefix: [UInt8], suffix: [UInt8]) { Self.envelope(layers: layers, resolution: resolution) }

    private static func envelope(layers: Int, resolution: Int) -> (prefix: [UInt8], suffix: [UInt8]) {
        (Array(#"{"instances":[{"image":""#.utf8),
         Array(#"","layers":\#(layers),"resolution":\#(resolution)}]}"#.utf8))
    }
}
