#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore

/// A push parser for `multipart/form-data` (RFC 7578 over RFC 2046) that never
/// holds more than one network chunk plus a delimiter's length of the body, so
/// an upload of any size streams straight to disk.
///
/// The stream is parsed as if it began with CRLF, so the first delimiter is
/// found like every other one. A body that ends before the closing delimiter
/// is an error (`finish()`), not a silently short file.
///
/// Kept rather than multipart-kit's `MultipartParser` (bench/README.md, "Own
/// parsers vs libraries"): 25–30 times its speed on a 25 MB upload, and
/// what the upload contract needs and it lacks — bounded part headers and
/// preamble, an end-of-input check, errors that say what is wrong. `package`
/// so decomposer-bench can measure the two.
package struct MultipartFormParser {
    package enum Event {
        case partBegan(MultipartPartHeaders)
        case body(ByteBuffer)
        case partEnded
    }

    private enum State {
        case preamble(skipped: Int)
        case afterDelimiter
        case headers
        case body
        case epilogue
    }

    /// RFC 2046 caps a boundary at 70 characters.
    static let maxBoundaryLength = 70
    static let maxHeaderBlock = 8 * 1024
    static let maxPreamble = 16 * 1024

    private let delimiter: [UInt8]
    private var state = State.preamble(skipped: 0)
    /// Bytes received but not yet consumed (at most a delimiter's length between calls).
    private var carry = ByteBuffer(bytes: [13, 10])

    package init(boundary: String) {
        delimiter = Array("\r\n--\(boundary)".utf8)
    }

    /// The boundary of a `multipart/form-data` Content-Type.
    ///
    /// - Throws: 415 `unsupported_media_type` for another type, 400
    ///   `invalid_multipart` for a missing or malformed boundary.
    static func boundary(contentType: String?) throws(APIError) -> String {
        guard let contentType,
            HeaderParameters.mediaType(of: contentType) == "multipart/form-data"
        else {
            throw APIError(.unsupportedMediaType, "unsupported_media_type",
                           "upload the poster as multipart/form-data with a 'file' field")
        }
        let parameters = HeaderParameters.parse(contentType)
        guard let boundary = parameters["boundary"], !boundary.isEmpty else {
            throw APIError(.badRequest, "invalid_multipart", "the multipart/form-data Content-Type has no boundary")
        }
        guard boundary.utf8.count <= maxBoundaryLength, boundary.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else {
            throw APIError(.badRequest, "invalid_multipart", "the multipart boundary is malformed (1–70 printable characters)")
        }
        return boundary
    }

    /// Parses what `chunk` completes; body events are slices to write as they come.
    package mutating func feed(_ chunk: ByteBuffer) throws(APIError) -> [Event] {
        var input = carry
        var chunk = chunk
        input.writeBuffer(&chunk)
        var events: [Event] = []
        parsing: while input.readableBytes > 0 {
            switch state {
            case .preamble(let skipped):
                if let offset = find(delimiter, in: input) {
                    input.moveReaderIndex(forwardBy: offset + delimiter.count)
                    state = .afterDelimiter
                } else {
                    let discard = max(0, input.readableBytes - (delimiter.count - 1))
                    input.moveReaderIndex(forwardBy: discard)
                    guard skipped + discard <= Self.maxPreamble else {
                        throw Self.invalid("the body does not contain the boundary declared in the Content-Type")
                    }
                    state = .preamble(skipped: skipped + discard)
                    break parsing
                }
            case .afterDelimiter:
                // Transport padding (spaces, tabs) may follow a delimiter.
                while let byte = input.getInteger(at: input.readerIndex, as: UInt8.self), byte == 0x20 || byte == 0x09 {
                    input.moveReaderIndex(forwardBy: 1)
                }
                guard let pair = input.getBytes(at: input.readerIndex, length: 2) else { break parsing }
                input.moveReaderIndex(forwardBy: 2)
                switch pair {
                case [0x2D, 0x2D]: state = .epilogue
                case [0x0D, 0x0A]: state = .headers
                default: throw Self.invalid("a multipart boundary is followed by neither CRLF nor '--'")
                }
            case .headers:
                if input.getBytes(at: input.readerIndex, length: 2) == [0x0D, 0x0A] {
                    input.moveReaderIndex(forwardBy: 2)
                    events.append(.partBegan(MultipartPartHeaders(lines: [])))
                    state = .body
                    continue
                }
                guard let end = find([0x0D, 0x0A, 0x0D, 0x0A], in: input) else {
                    guard input.readableBytes <= Self.maxHeaderBlock else { throw Self.invalid("a part's headers are too long") }
                    break parsing
                }
                guard end <= Self.maxHeaderBlock, let block = input.readString(length: end) else {
                    throw Self.invalid("a part's headers are too long or not text")
                }
                input.moveReaderIndex(forwardBy: 4)
                events.append(.partBegan(MultipartPartHeaders(lines: block.components(separatedBy: "\r\n"))))
                state = .body
            case .body:
                if let offset = find(delimiter, in: input) {
                    if offset > 0, let slice = input.readSlice(length: offset) { events.append(.body(slice)) }
                    input.moveReaderIndex(forwardBy: delimiter.count)
                    events.append(.partEnded)
                    state = .afterDelimiter
                } else {
                    let safe = input.readableBytes - (delimiter.count - 1)
                    if safe > 0, let slice = input.readSlice(length: safe) { events.append(.body(slice)) }
                    break parsing
                }
            case .epilogue:
                input.moveReaderIndex(forwardBy: input.readableBytes)
            }
        }
        carry = ByteBuffer(bytes: input.readableBytesView)
        return events
    }

    /// - Throws: `invalid_multipart` when the body ended before the closing delimiter.
    package func finish() throws(APIError) {
        switch state {
        case .epilogue: return
        case .preamble: throw Self.invalid("the body does not contain the boundary declared in the Content-Type")
        default: throw Self.invalid("the multipart body ended before its closing boundary (truncated upload?)")
        }
    }

    private static func invalid(_ message: String) -> APIError { APIError(.badRequest, "invalid_multipart", message) }

    /// Offset of `needle` in the readable bytes: memchr finds candidates for
    /// the first byte (CR, rare in the middle of a delimiter), memcmp confirms.
    private func find(_ needle: [UInt8], in buffer: ByteBuffer) -> Int? {
        buffer.withUnsafeReadableBytes { haystack in
            needle.withUnsafeBytes { needle in
                guard let base = haystack.baseAddress, haystack.count >= needle.count else { return nil }
                let last = haystack.count - needle.count
                var offset = 0
                while offset <= last {
                    guard let hit = memchr(base + offset, Int32(needle[0]), last - offset + 1) else { return nil }
                    let position = base.distance(to: UnsafeRawPointer(hit))
                    if memcmp(hit, needle.baseAddress!, needle.count) == 0 { return position }
                    offset = position + 1
                }
                return nil
            }
        }
    }
}

/// What a part says about itself: the form field name, the client's file
/// name and declared type (informational only: content decides).
package struct MultipartPartHeaders: Equatable {
    package var name: String?
    package var filename: String?
    package var contentType: String?

    init(name: String? = nil, filename: String? = nil, contentType: String? = nil) {
        self.name = name
        self.filename = filename
        self.contentType = contentType
    }

    init(lines: [String]) {
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let field = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            let value = String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
            switch field {
            case "content-disposition":
                let parameters = HeaderParameters.parse(value)
                name = parameters["name"]
                filename = parameters["filename"]
            case "content-type":
                contentType = value
            default:
                continue
            }
        }
    }
}
