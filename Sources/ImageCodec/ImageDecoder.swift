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
        try decode(bytes, maxPixels: maxPixels, keepingLongSideAtLeast: nil)
    }

    /// As `decode(_:maxPixels:)`, except that a JPEG much larger than needed
    /// is decoded at 1/2, 1/4 or 1/8 of its size — the largest reduction that
    /// keeps its longer side at least `longSide` — using libjpeg's DCT
    /// scaling, which skips most of the decoding work and is a proper
    /// low-pass filter. A 3000×4000 photo wanted at 1024 decodes at 1500×2000
    /// in about a third of the time, and the downscale after it has a quarter
    /// of the pixels to read. PNGs always decode at full size.
    public static func decode(
        _ bytes: [UInt8], maxPixels: Int, keepingLongSideAtLeast longSide: Int?
    ) throws(ImageCodecError) -> RasterImage {
        let header = try ImageHeader.probe(bytes)
        let limit = max(maxPixels, 0)
        guard header.pixelCount <= limit else {
            throw .tooManyPixels(width: header.width, height: header.height, limit: maxPixels)
        }
        let reduction = header.format == .jpeg ? jpegReduction(header, keepingLongSideAtLeast: longSide) : 1
        let width = (header.width + reduction - 1) / reduction
        let height = (header.height + reduction - 1) / reduction
        let byteCount = width * height * 4
        var message = CodecStatus.messageBuffer()
        var decodedWidth: UInt32 = 0
        var decodedHeight: UInt32 = 0
        var code = CIC_OK
        let pixels = bytes.withUnsafeBufferPointer { data in
            [UInt8](unsafeUninitializedCapacity: byteCount) { buffer, initialized in
                code = header.format == .png
                    ? cic_png_decode(
                        data.baseAddress, data.count, UInt64(limit), buffer.baseAddress, byteCount,
                        &decodedWidth, &decodedHeight, &message)
                    : cic_jpeg_decode_reduced(
                        data.baseAddress, data.count, UInt64(limit), UInt32(reduction), buffer.baseAddress, byteCount,
                        &decodedWidth, &decodedHeight, &message)
                // On failure the bytes may be partly written; the array is
                // discarded, so it reports none of them (UInt8 needs no cleanup).
                initialized = code == CIC_OK ? byteCount : 0
            }
        }
        try CodecStatus(code: code, message: message).check(width: decodedWidth, height: decodedHeight, limit: maxPixels)
        return RasterImage(width: width, height: height, pixels: pixels)
    }

    /// 8, 4, 2 or 1: the largest whose reduced longer side is still `longSide` or more.
    static func jpegReduction(_ header: ImageHeader, keepingLongSideAtLeast longSide: Int?) -> Int {
        guard let longSide, longSide > 0 else { return 1 }
        let side = max(header.width, header.height)
        return [8, 4, 2].first { (side + $0 - 1) / $0 >= longSide } ?? 1
    }
}
