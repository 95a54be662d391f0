import DecomposerCore
import Foundation
import Hummingbird
import ImageCodec
import Storage
import SystemSupport

/// `POST /api/upload`: streams the `file` part of a multipart form to a spool
/// file (bounded by `MAX_UPLOAD_BYTES`), recognising PNG or JPEG by content,
/// then hands the checked file to the storage (see `StorageBackend.spoolDirectory`
/// for why spooling). Memory stays flat whatever the size; a refused upload
/// leaves nothing stored.
struct UploadRoutes {
    let storage: any StorageBackend
    let queue: JobQueue
    let settings: APISettings

    func register(on router: Router<APIRequestContext>) {
        router.post("/api/upload") { request, context in try await upload(request, context: context) }
    }

    /// Multipart framing around the file: boundaries, part headers, small fields.
    static let framingAllowance = 64 * 1024

    func upload(_ request: Request, context: APIRequestContext) async throws -> Response {
        let boundary = try MultipartFormParser.boundary(contentType: request.headers[.contentType])
        let bodyLimit = settings.maxUploadBytes + Self.framingAllowance
        if let declared = request.headers[.contentLength].flatMap(Int.init), declared > bodyLimit {
            throw tooLarge
        }
        var parser = MultipartFormParser(boundary: boundary)
        var inspector = UploadedImageInspector()
        var spool: SpoolFile?
        var fileHeaders: MultipartPartHeaders?
        var inFilePart = false
        var received = 0
        do {
            for try await chunk in request.body {
                received += chunk.readableBytes
                guard received <= bodyLimit else { throw tooLarge }
                for event in try parser.feed(chunk) {
                    switch event {
                    case .partBegan(let headers):
                        guard headers.name == "file", fileHeaders == nil else { continue }
                        fileHeaders = headers
                        inFilePart = true
                        spool = try await SpoolFile.create(in: storage.spoolDirectory)
                    case .body(let bytes) where inFilePart:
                        inspector.feed(bytes)
                        guard inspector.byteCount <= settings.maxUploadBytes else { throw tooLarge }
                        try await spool?.write(bytes)
                    case .body:
                        continue
                    case .partEnded:
                        inFilePart = false
                    }
                }
            }
            try parser.finish()
            guard let fileHeaders, let spool else {
                throw APIError(.unprocessableContent, "missing_field", "the form has no 'file' field; send the poster as 'file'")
            }
            let header = try inspector.verdict(maxPixels: settings.maxImagePixels)
            let fileID = UUID.random()
            await spool.finishWriting()
            try await storage.storeUpload(spooledAt: spool.path, fileID: fileID, fileExtension: header.format.fileExtension)
            // Without the note (Redis down for a moment) an enqueue of this upload asks storage instead.
            try? await queue.noteUpload(fileID)
            context.logger.info("Stored upload \(fileID.lowercasedString) (\(header.format), \(header.width)×\(header.height), \(inspector.byteCount) bytes)")
            return try JSONResponse.make(.created, UploadedFile(
                fileID: fileID.lowercasedString, filename: Self.displayName(fileHeaders.filename),
                contentType: header.format.mimeType, sizeBytes: inspector.byteCount,
                width: header.width, height: header.height))
        } catch {
            await spool?.discard()
            throw error
        }
    }

    private var tooLarge: APIError {
        APIError(
            .contentTooLarge, "upload_too_large",
            "the upload is larger than the \(Self.describe(bytes: settings.maxUploadBytes)) limit (MAX_UPLOAD_BYTES)",
            headers: [.connection: "close"])
    }

    /// The client's file name, as a name only (no directories, no control characters).
    static func displayName(_ filename: String?) -> String {
        let base = filename?.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        let clean = String(base.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }.prefix(255).map(Character.init))
        return clean.isEmpty ? "poster" : clean
    }

    static func describe(bytes: Int) -> String {
        bytes % (1 << 20) == 0 ? "\(bytes >> 20) MiB" : "\(bytes) bytes"
    }
}

/// The `201` body of an upload.
struct UploadedFile: Codable {
    var fileID: String
    var filename: String
    var contentType: String
    var sizeBytes: Int
    var width: Int
    var height: Int

    enum CodingKeys: String, CodingKey {
        case fileID = "file_id", filename, contentType = "content_type", sizeBytes = "size_bytes", width, height
    }
}

extension ImageFormat {
    var fileExtension: String { self == .png ? "png" : "jpg" }
}
