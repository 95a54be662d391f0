internal import CImageCodecs

/// Proves a PNG whole and intact without decoding its pixels.
///
/// For bytes that are stored as received (the model's layers), the pixels are
/// never needed, only the certainty that the file is not cut short or damaged.
/// `check` walks everything that can be wrong — every chunk's CRC, the chunk
/// order, the header, the complete zlib stream with its Adler-32, and exactly
/// the scanlines the header declares, each with a valid filter type — and
/// skips only un-filtering, which is defined for any bytes and cannot fail. It
/// streams the inflated data through one fixed 1 MB buffer, so a 4 MB RGBA
/// layer costs no 4 MB allocation, and it is about seven times cheaper than
/// `ImageDecoder.decode`, which libpng spends mostly reversing Paeth filters.
public enum PNGIntegrity {
    /// - Parameter maxPixels: the largest `width × height` accepted; checked
    ///   from the header before anything is inflated.
    /// - Returns: the header (format `.png`).
    /// - Throws: `.empty`, `.notAnImage`, `.truncated`,
    ///   `.tooManyPixels(width:height:limit:)`, `.corrupt` (CRC error, bad
    ///   zlib data, wrong amount of image data, invalid filter type, bad chunk
    ///   order).
    public static func check(_ bytes: [UInt8], maxPixels: Int) throws(ImageCodecError) -> ImageHeader {
        var message = CodecStatus.messageBuffer()
        var width: UInt32 = 0
        var height: UInt32 = 0
        let code = bytes.withUnsafeBufferPointer { data in
            cic_png_check(data.baseAddress, data.count, UInt64(max(maxPixels, 0)), &width, &height, &message)
        }
        try CodecStatus(code: code, message: message).check(width: width, height: height, limit: maxPixels)
        return ImageHeader(format: .png, width: Int(width), height: Int(height))
    }
}
