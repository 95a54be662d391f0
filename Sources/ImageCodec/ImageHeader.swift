internal import CImageCodecs

/// What an image is and how big, read from its header alone.
///
/// Probing first lets a caller refuse a 100000×100000 "decompression bomb" or
/// a non-image upload for the price of reading a few dozen bytes, and tells the
/// decoder exactly how much memory the pixels will need.
public struct ImageHeader: Sendable, Hashable {
    public var format: ImageFormat
    public var width: Int
    public var height: Int

    public init(format: ImageFormat, width: Int, height: Int) {
        self.format = format
        self.width = width
        self.height = height
    }

    /// `width × height`; cannot overflow (both sides are below 2³¹).
    public var pixelCount: Int { width * height }

    /// Recognises PNG or JPEG by magic bytes and reads the dimensions without
    /// decoding pixels (PNG: the CRC-checked IHDR chunk; JPEG: the markers up
    /// to the first scan).
    ///
    /// - Throws: `.empty`, `.notAnImage`, `.truncated` when the header is cut
    ///   short, `.corrupt` for a malformed header.
    public static func probe(_ bytes: [UInt8]) throws(ImageCodecError) -> ImageHeader {
        var message = CodecStatus.messageBuffer()
        var format: Int32 = 0
        var width: UInt32 = 0
        var height: UInt32 = 0
        let code = bytes.withUnsafeBufferPointer { data in
            cic_probe(data.baseAddress, data.count, &format, &width, &height, &message)
        }
        try CodecStatus(code: code, message: message).check()
        return ImageHeader(format: format == CIC_FORMAT_PNG ? .png : .jpeg, width: Int(width), height: Int(height))
    }
}
