import NIOCore

/// A server's WebSocket text message as its bytes on the wire (RFC 6455 §5.2: FIN and opcode 1, no
/// mask, the payload's length in 7, 7 + 16 or 7 + 64 bits, then the payload), so one change can be
/// encoded once and written to all of its watchers as one shared buffer. NIO's
/// `WebSocketFrameEncoder` writes a header buffer of its own beside a payload it does not own alone:
/// an allocation, two buffers and a `writev` per watcher. `WatchConnection` writes these frames
/// below that encoder (bench/README.md, issue 23: the API's CPU per message).
enum WebSocketTextFrame {
    /// The frame of a message whose UTF-8 text is `payload`.
    static func encode(_ payload: some Collection<UInt8>) -> ByteBuffer {
        let length = payload.count
        var frame = ByteBuffer()
        frame.reserveCapacity(length + 10)
        frame.writeInteger(UInt8(0x81))
        switch length {
        case ...125:
            frame.writeInteger(UInt8(length))
        case ...0xFFFF:
            frame.writeInteger(UInt8(126))
            frame.writeInteger(UInt16(length))
        default:
            frame.writeInteger(UInt8(127))
            frame.writeInteger(UInt64(length))
        }
        frame.writeBytes(payload)
        return frame
    }

    /// The text of a frame `encode` made (its header is 2, 4 or 10 bytes, as its second byte says).
    static func text(of frame: ByteBuffer) -> String {
        let header = switch frame.getInteger(at: frame.readerIndex + 1, as: UInt8.self) {
        case 126: 4
        case 127: 10
        default: 2
        }
        return String(buffer: frame.getSlice(at: frame.readerIndex + header, length: frame.readableBytes - header) ?? ByteBuffer())
    }
}
