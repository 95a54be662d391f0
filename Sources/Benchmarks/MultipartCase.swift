import API
import Foundation
import MultipartKit
import NIOCore
import SystemSupport

/// `multipart --parser own|kit [--megabytes N] [--rounds N] [--hostile 1]`: parsing
/// an upload body (a `file` part of N MB, default 25, as a browser frames it) fed
/// in 64 KiB chunks, as the API receives it, by the project's own
/// `MultipartFormParser` or multipart-kit's incremental `MultipartParser`. MB/s
/// (the median of the rounds) and the process's peak RSS, one parser per
/// process so the figure is that parser's; the chunks are built from 1 MiB of
/// random bytes (compressed image data) and never all held at once.
///
/// `--hostile 1` sends a part whose header line never ends instead: a parser
/// that keeps memory bounded refuses it early; the figures are the bytes it read
/// before refusing (all of them when it never does) and the peak RSS.
func multipartCase() throws {
    let parser = stringOption("--parser") ?? "own"
    let hostile = option("--hostile", 0) != 0
    let size = option("--megabytes", 25) * 1_000_000
    let boundary = "----decomposerBench7MA4YWxkTrZu0gW"
    var generator = SeededGenerator(seed: 25)
    let body = hostile
        ? UploadBody(head: Array("--\(boundary)\r\nX-Filler: ".utf8), payload: [UInt8](repeating: UInt8(ascii: "a"), count: 1 << 20),
                     payloadSize: size, tail: [])
        : UploadBody(
            head: Array(("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"poster.jpg\"\r\n"
                + "Content-Type: image/jpeg\r\n\r\n").utf8),
            payload: (0..<(1 << 20)).map { _ in UInt8(truncatingIfNeeded: generator.next()) },
            payloadSize: size, tail: Array("\r\n--\(boundary)--\r\n".utf8))
    let label = "multipart_\(hostile ? "hostile_header_" : "")\(parser)"

    var parse: () throws -> Int
    switch parser {
    case "own":
        parse = {
            var parser = MultipartFormParser(boundary: boundary)
            var fileBytes = 0
            for index in 0..<body.chunkCount {
                for event in try parser.feed(body.chunk(index)) {
                    if case .body(let slice) = event { fileBytes += slice.readableBytes }
                }
            }
            try parser.finish()
            return fileBytes
        }
    case "kit":
        parse = {
            let parser = MultipartParser(boundary: boundary)
            var fileBytes = 0, completed = 0
            parser.onBody = { fileBytes += $0.readableBytes }
            parser.onPartComplete = { completed += 1 }
            for index in 0..<body.chunkCount { try parser.execute(body.chunk(index)) }
            // multipart-kit has no end-of-input check: a part it never saw end is a truncated body.
            guard completed == 1 else { throw MultipartCaseError.noCompletePart(read: body.length) }
            return fileBytes
        }
    default:
        print("multipart --parser own|kit")
        exit(2)
    }

    if hostile {
        do {
            _ = try parse()
            report("\(label)_read_before_refusing", Double(body.length) / 1e6, "MB (never refused)")
        } catch MultipartCaseError.noCompletePart(let read) {
            report("\(label)_read_before_refusing", Double(read) / 1e6, "MB (accepted every byte)")
        } catch {
            report("\(label)_read_before_refusing", Double(body.handedOut ?? 0) / 1e6, "MB")
        }
        report("\(label)_peak_rss", peakRSSMiB(), "MiB")
        return
    }
    guard try parse() == size else {
        print("multipart: the \(parser) parser did not give the file's \(size) bytes back")
        exit(1)
    }
    let rounds = option("--rounds", 7)
    let throughput = try (0..<rounds).map { _ in Double(size) / 1e6 / (try time(1) { try parse() } / 1000) }
    report("\(label)_\(size / 1_000_000)mb", median(throughput), "MB/s")
    report("\(label)_peak_rss", peakRSSMiB(), "MiB")
}

enum MultipartCaseError: Error {
    case noCompletePart(read: Int)
}

/// An upload body `head + payload + tail`, the payload `payloadSize` bytes
/// repeating `payload`, handed out in 64 KiB chunks. Chunks inside the payload
/// repeat with it, so they are built once and shared (as read-only buffers).
final class UploadBody {
    static let chunkSize = 64 * 1024
    let head: [UInt8], payload: [UInt8], payloadSize: Int, tail: [UInt8]
    private var built: [Int: ByteBuffer] = [:]
    /// The end of the last chunk handed out: how far a parser that threw had read.
    private(set) var handedOut: Int?

    init(head: [UInt8], payload: [UInt8], payloadSize: Int, tail: [UInt8]) {
        self.head = head
        self.payload = payload
        self.payloadSize = payloadSize
        self.tail = tail
    }

    var length: Int { head.count + payloadSize + tail.count }
    var chunkCount: Int { (length + Self.chunkSize - 1) / Self.chunkSize }

    func chunk(_ index: Int) -> ByteBuffer {
        let start = index * Self.chunkSize, end = min(length, start + Self.chunkSize)
        handedOut = end
        let insidePayload = start >= head.count && end <= head.count + payloadSize
        let key = insidePayload ? (start - head.count) % payload.count : -1 - index
        if let chunk = built[key] { return chunk }
        let chunk = ByteBuffer(bytes: (start..<end).map(byte(at:)))
        built[key] = chunk
        return chunk
    }

    private func byte(at offset: Int) -> UInt8 {
        if offset < head.count { return head[offset] }
        if offset < head.count + payloadSize { return payload[(offset - head.count) % payload.count] }
        return tail[offset - head.count - payloadSize]
    }
}
