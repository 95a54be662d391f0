import ImageCodec
import NIOCore

/// Decides, while an upload streams past, whether it is a whole PNG or JPEG
/// and how big, without decoding pixels or holding the file: the header is
/// probed from the first bytes (a 100000×100000 "bomb" is refused from its
/// header), and truncation is caught structurally — a PNG's chunk chain must
/// reach IEND, a JPEG must end with its EOI marker.
struct UploadedImageInspector {
    /// JPEG headers may sit behind large EXIF/ICC segments.
    static let headLimit = 2 << 20

    private(set) var byteCount = 0
    /// The first bytes, kept only until the header probes: a PNG's after 33 bytes, a JPEG's at its
    /// frame header. Kept whole (up to `headLimit`), they cost 2–4 MiB per concurrent upload.
    private var head: [UInt8] = []
    private var header: ImageHeader?
    /// PNG: offset of the next chunk header, and whether IEND was seen.
    private var nextChunkOffset = 8
    private var chunkHeader: [UInt8] = []
    private var sawIEND = false
    private var endOfIEND = 0
    /// JPEG: the last bytes seen, to find the EOI marker near the end.
    private var tail: [UInt8] = []

    mutating func feed(_ buffer: ByteBuffer) {
        let start = byteCount
        byteCount += buffer.readableBytes
        buffer.withUnsafeReadableBytes { bytes in
            if header == nil, head.count < Self.headLimit {
                head.append(contentsOf: bytes.prefix(Self.headLimit - head.count))
                if let probed = try? ImageHeader.probe(head) {
                    header = probed
                    head = []
                }
            }
            tail.append(contentsOf: bytes.suffix(Self.tailLength))
            if tail.count > Self.tailLength { tail.removeFirst(tail.count - Self.tailLength) }
            walkPNGChunks(bytes, startingAt: start)
        }
    }

    /// The image's header once the whole upload was seen.
    ///
    /// - Throws: 400 `empty_file`, 415 `unsupported_image` (not PNG/JPEG by
    ///   content, a header that does not decode, truncated), 413
    ///   `image_too_large` above `maxPixels`.
    func verdict(maxPixels: Int) throws(APIError) -> ImageHeader {
        guard byteCount > 0 else { throw APIError(.badRequest, "empty_file", "the uploaded file is empty (0 bytes)") }
        let header: ImageHeader
        do {
            if let probed = self.header { header = probed } else { header = try ImageHeader.probe(head) }
        } catch .notAnImage {
            throw Self.unsupported("the file is not a PNG or JPEG image (recognised by its content, not its name)")
        } catch {
            throw Self.unsupported("the image header does not decode: \(error)")
        }
        guard header.pixelCount <= maxPixels else {
            throw APIError(
                .contentTooLarge, "image_too_large",
                "the image is \(header.width)×\(header.height) (\(header.pixelCount) pixels); the limit is \(maxPixels) pixels")
        }
        switch header.format {
        case .png:
            guard sawIEND, byteCount >= endOfIEND else { throw Self.unsupported("the PNG is truncated (it has no IEND chunk)") }
        case .jpeg:
            guard Self.containsEOI(tail) else { throw Self.unsupported("the JPEG is truncated (it has no end-of-image marker)") }
        }
        return header
    }

    private static let tailLength = 4096

    private static func unsupported(_ message: String) -> APIError {
        APIError(.unsupportedMediaType, "unsupported_image", message)
    }

    /// FF D9, not as a stuffed byte of entropy-coded data (which never holds FF D9).
    private static func containsEOI(_ bytes: [UInt8]) -> Bool {
        zip(bytes, bytes.dropFirst()).contains { $0 == 0xFF && $1 == 0xD9 }
    }

    /// Follows the chunk chain (length, type, data, CRC) across buffers.
    private mutating func walkPNGChunks(_ bytes: UnsafeRawBufferPointer, startingAt start: Int) {
        guard !sawIEND else { return }
        let end = start + bytes.count
        while nextChunkOffset < end {
            let headerPosition = nextChunkOffset + chunkHeader.count
            guard headerPosition >= start else { return }
            let available = min(8 - chunkHeader.count, end - headerPosition)
            chunkHeader.append(contentsOf: bytes[(headerPosition - start)..<(headerPosition - start + available)])
            guard chunkHeader.count == 8 else { return }
            let length = chunkHeader[0..<4].reduce(0) { $0 << 8 | Int($1) }
            let isIEND = chunkHeader[4..<8].elementsEqual("IEND".utf8)
            chunkHeader.removeAll(keepingCapacity: true)
            nextChunkOffset += 8 + length + 4
            if isIEND {
                sawIEND = true
                endOfIEND = nextChunkOffset
                return
            }
        }
    }
}
