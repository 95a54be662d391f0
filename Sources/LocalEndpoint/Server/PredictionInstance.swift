/// One instance of a prediction request, checked: the image file's bytes
/// and how to split it.
struct PredictionInstance: Sendable, Equatable {
    /// The PNG or JPEG file, decoded from base64.
    let image: [UInt8]
    let layers: Int
    /// The model's working resolution. The worker has already scaled the
    /// image to it, so it is checked but the image is decomposed at its own
    /// size (the layers always match the image sent).
    let resolution: Int
}
