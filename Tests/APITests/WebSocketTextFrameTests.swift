@testable import API
import NIOCore
import NIOEmbedded
import NIOWebSocket
import Testing

/// The frames a change is written as (`WebSocketTextFrame`) read back by NIO's own frame decoder,
/// at each of RFC 6455's three length forms and their edges.
@Suite struct WebSocketTextFrameTests {
    @Test(arguments: [0, 1, 125, 126, 1_000, 65_535, 65_536, 200_000])
    func aTextFrameIsWhatNIOsDecoderReadsBack(length: Int) throws {
        let text = String((0..<length).map { Character(UnicodeScalar(UInt8(97 + $0 % 26))) })
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(WebSocketFrameDecoder(maxFrameSize: 1 << 20)))
        defer { _ = try? channel.finish() }
        try channel.writeInbound(WebSocketTextFrame.encode(text.utf8))
        let frame = try #require(try channel.readInbound(as: WebSocketFrame.self))
        #expect(frame.fin)
        #expect(frame.opcode == .text)
        #expect(frame.maskKey == nil)
        #expect(String(buffer: frame.unmaskedData) == text)
        #expect(try channel.readInbound(as: WebSocketFrame.self) == nil, "one frame, nothing left over")
        #expect(WebSocketTextFrame.text(of: WebSocketTextFrame.encode(text.utf8)) == text, "the text read back")
    }

    /// Multi-byte characters: the length counts UTF-8 bytes, not characters.
    @Test func theLengthCountsBytes() throws {
        let text = String(repeating: "é", count: 100)  // 200 bytes: the 16-bit form
        let frame = WebSocketTextFrame.encode(text.utf8)
        #expect(frame.getInteger(at: 1, as: UInt8.self) == 126)
        #expect(frame.getInteger(at: 2, as: UInt16.self) == 200)
        #expect(frame.readableBytes == 4 + 200)
    }
}
