internal import CImageCodecs

/// Turns PNG or JPEG bytes into a `RasterImage`.
///
/// The header is probed first and checked against `maxPixels` before any
/// pixel memory exists, so a tiny file declaring a gigantic image costs
/// nothing. The pixels are then decoded by C straight into the Swift array's
/// storage (no intermediate copy of a 100 MB poster).
public enum ImageDecoder {
    /// Decodes `bytes` (format chosen by magic bytes) to straight-alpha RGBA8.
    /// JPEGs come out opaque; CMYK JPEGs are converted without colour
    /// management.
    ///
    /// - Parameter maxPixels: the largest `width × height` accepted.
    /// - Throws: `.empty`, `.notAnImage`, `.truncated`,
    ///   `.tooManyPixels(width:height:limit:)`, `.corrupt` (CRC errors, bad
    ///   compressed data, bad markers).
    public static func decode(_ bytes: [UInt8], maxPixels: Int) throws(ImageCodecError) -> RasterImage {
        let header = try ImageHeader.probe(bytes)
        let limit = max(maxPixels, 0)
        guard header.pixelCount <= limit else {
            throw .tooManyPixels(width: header.width, height: header.height, limit: maxPixels)
        }
        let decode = header.format == .png ? cic_png_decode : cic_jpeg_decode
        let byteCount = header.pixelCount * 4
        var message = CodecStatus.messageBuffer()
        var width: UInt32 = 0
        var height: UInt32 = 0
        var code = CIC_OK
        let pixels = bytes.withUnsafeBufferPointer { data in
            [UInt8](unsafeUninitializedCapacity: byteCount) { buffer, initialized in
                code = decode(
                    data.baseAddress, data.count, UInt64(limit), buffer.baseAddress, byteCount,
                    &width, &height, &message)
                // On failure the bytes may be partly written; the array is
                // discarded, so it reports none of them (UInt8 needs no cleanup).
                initialized = code == CIC_OK ? byteCount : 0
            }
        }
        try CodecStatus(code: code, message: message).check(width: width, height: height, limit: maxPixels)
        return RasterImage(width: header.width, height: header.height, pixels: pixels)
    }
}
