/// Why an image could not be probed, decoded or encoded.
///
/// Uploads are untrusted, so every failure of libpng/libjpeg comes back as one
/// of these (the C shim catches the libraries' longjmps) instead of a crash.
/// The cases separate what a person can act on: an empty or cut-off upload
/// (retry it), a file that is not an image at all, an image too large for the
/// pipeline, and a damaged file.
public enum ImageCodecError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Zero bytes: usually an upload that never arrived.
    case empty
    /// The leading bytes are neither a PNG nor a JPEG signature.
    case notAnImage
    /// The data ends before the header or the pixel data does.
    case truncated
    /// The header declares more pixels than the caller's limit; refused before
    /// any pixel memory is allocated.
    case tooManyPixels(width: Int, height: Int, limit: Int)
    /// Malformed data, with the codec's own reason (CRC error, bad marker, ...).
    case corrupt(String)
    /// The encoder refused the image, with its reason.
    case encodeFailed(String)

    public var description: String {
        switch self {
        case .empty:
            "no image data (0 bytes)"
        case .notAnImage:
            "not a PNG or JPEG image"
        case .truncated:
            "the image data ends early (a cut-off file or an incomplete upload)"
        case .tooManyPixels(let width, let height, let limit):
            "the image is \(width)×\(height) = \(width * height) pixels, above the limit of \(limit)"
        case .corrupt(let reason):
            "the image data is corrupt: \(reason)"
        case .encodeFailed(let reason):
            "could not encode the image: \(reason)"
        }
    }
}
