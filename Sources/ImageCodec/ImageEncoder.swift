internal import CImageCodecs

/// Turns a `RasterImage` into PNG or JPEG bytes.
///
/// PNG keeps alpha and is lossless (layers); JPEG drops alpha and is lossy but
/// far smaller (opaque posters, previews).
public enum ImageEncoder {
    /// An 8-bit RGBA PNG of `image`, lossless.
    public static func png(_ image: RasterImage) throws(ImageCodecError) -> [UInt8] {
        try encode(image) { rgba, out, size, err in
            cic_png_encode(rgba, UInt32(image.width), UInt32(image.height), out, size, err)
        }
    }

    /// A baseline JPEG of `image` at `quality` (1...100, clamped; 85–92 is the
    /// usual range for photos). The alpha channel is dropped as-is, not
    /// composited: transparent pixels show whatever colour they carry, so
    /// flatten transparent images onto a background first.
    public static func jpeg(_ image: RasterImage, quality: Int) throws(ImageCodecError) -> [UInt8] {
        let quality = Int32(min(max(quality, 1), 100))
        return try encode(image) { rgba, out, size, err in
            cic_jpeg_encode(rgba, UInt32(image.width), UInt32(image.height), quality, out, size, err)
        }
    }

    /// Runs one `cic_*_encode` call and copies its malloc'd output into an
    /// array, freeing the C buffer on every path.
    private static func encode(
        _ image: RasterImage,
        _ call: (
            UnsafePointer<UInt8>?, UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>,
            UnsafeMutablePointer<Int>, UnsafeMutablePointer<CChar>
        ) -> Int32
    ) throws(ImageCodecError) -> [UInt8] {
        var message = CodecStatus.messageBuffer()
        var output: UnsafeMutablePointer<UInt8>? = nil
        var size = 0
        let code = image.pixels.withUnsafeBufferPointer { rgba in
            call(rgba.baseAddress, &output, &size, &message)
        }
        defer { cic_free(output) }
        guard code == CIC_OK, let output else {
            throw .encodeFailed(CodecStatus(code: code, message: message).text)
        }
        return Array(UnsafeBufferPointer(start: output, count: size))
    }
}
