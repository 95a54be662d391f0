import ImageCodec

/// The image as it will be sent, and what preparing it did.
public struct PreparedImage: Sendable {
    public let bytes: [UInt8]
    public let format: ImageFormat
    public let width: Int
    public let height: Int
    /// Upload size minus prepared size (negative when re-encoding grew it).
    public let bytesSaved: Int
    /// What was done to fit, for the job's log: "JPEG q85", "JPEG q55 at 896 px", …
    public let note: String
}

/// Turns an upload into what the endpoint is sent: decoded, downscaled so
/// the longer side is at most `resolution` (area averaging, never
/// upscaling), encoded as JPEG quality 85 when opaque or PNG when it has
/// transparency — then, if the request would exceed the endpoint's body
/// limit, lower JPEG quality stepwise, then the size, until it fits.
public enum ImagePreparation {
    static let qualitySteps = [85, 75, 65, 55, 45]

    public static func prepare(
        _ upload: [UInt8], resolution: Int, layers: Int, maxRequestBytes: Int, maxPixels: Int
    ) throws -> PreparedImage {
        let decoded: RasterImage
        let format: ImageFormat
        do {
            format = try ImageHeader.probe(upload).format
            // A large JPEG decodes at a fraction of its size, still at least `resolution` on its longer side.
            decoded = try ImageDecoder.decode(upload, maxPixels: maxPixels, keepingLongSideAtLeast: resolution)
        } catch {
            throw VertexError(kind: .final, code: .invalidImage, message: "The uploaded image cannot be decoded: \(error)")
        }
        var image = ImageResizer.downscale(decoded, maxSide: resolution)
        // A JPEG decodes opaque: no need to scan its pixels for alpha.
        let transparent = format == .png && image.hasTransparency
        func fits(_ bytes: [UInt8]) -> Bool {
            PredictionRequest.bodyByteCount(imageBytes: bytes.count, layers: layers, resolution: resolution) <= maxRequestBytes
        }
        func prepared(_ bytes: [UInt8], _ format: ImageFormat, _ note: String) -> PreparedImage {
            PreparedImage(bytes: bytes, format: format, width: image.width, height: image.height,
                          bytesSaved: upload.count - bytes.count, note: note)
        }

        if transparent {
            let png = try encode { try ImageEncoder.png(image) }
            if fits(png) { return prepared(png, .png, "PNG (transparent)") }
            // Too big as PNG: transparency cannot survive JPEG, so shrink instead.
            while image.width > 64 || image.height > 64 {
                image = ImageResizer.downscale(image, maxSide: max(image.width, image.height) * 3 / 4)
                let smaller = try encode { try ImageEncoder.png(image) }
                if fits(smaller) { return prepared(smaller, .png, "PNG (transparent) at \(max(image.width, image.height)) px") }
            }
        } else {
            while true {
                for quality in qualitySteps {
                    let jpeg = try encode { try ImageEncoder.jpeg(image, quality: quality) }
                    if fits(jpeg) {
                        let sized = max(image.width, image.height) < min(resolution, max(decoded.width, decoded.height))
                        return prepared(jpeg, .jpeg, "JPEG q\(quality)" + (sized ? " at \(max(image.width, image.height)) px" : ""))
                    }
                }
                guard image.width > 64 || image.height > 64 else { break }
                image = ImageResizer.downscale(image, maxSide: max(image.width, image.height) * 3 / 4)
            }
        }
        throw VertexError.requestTooLarge(
            bytes: PredictionRequest.bodyByteCount(imageBytes: upload.count, layers: layers, resolution: resolution),
            limit: maxRequestBytes)
    }

    private static func encode(_ body: () throws -> [UInt8]) throws -> [UInt8] {
        do {
            return try body()
        } catch {
            throw VertexError(kind: .final, code: .invalidImage, message: "The image cannot be re-encoded: \(error)")
        }
    }
}
