import DecomposerCore
import Foundation
import Testing

@Suite struct JSONParserTests {
    @Test func parsesEveryKindOfValue() throws {
        let text = #" {"s":"a\"b\\c\/d\b\f\n\r\t\u00e9\ud83d\ude00","n":-12.5e2,"z":0,"i":42,"t":true,"f":false,"x":null,"a":[1,[],{}],"o":{"k":"v"}} "#
        let value = try JSONParser.parse(text)
        #expect(value == .object([
            "s": .string("a\"b\\c/d\u{8}\u{c}\n\r\té😀"),
            "n": .number(-1250), "z": .number(0), "i": .number(42),
            "t": .bool(true), "f": .bool(false), "x": .null,
            "a": .array([.number(1), .array([]), .object([:])]),
            "o": .object(["k": .string("v")]),
        ]))
    }

    @Test func keepsBooleansApartFromNumbers() throws {
        #expect(try JSONParser.parse("[true,1,0,false]") == .array([.bool(true), .number(1), .number(0), .bool(false)]))
    }

    @Test func lastDuplicateMemberWins() throws {
        #expect(try JSONParser.parse(#"{"a":1,"a":2}"#) == .object(["a": .number(2)]))
    }

    @Test(arguments: [
        "", " ", "{", "}", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "{a:1}", "01", "1.", ".5", "+1", "-", "1e", "1e+",
        "tru", "nul", "True", "\"abc", "\"a\u{1}b\"", "\"\\x\"", "\"\\u12\"", "\"\\ud800\"", "\"\\udc00\"",
        "\"\\ud800\\u0041\"", "1 2", "{} x", "1e999", "[1 2]", "'a'", "NaN",
    ])
    func refusesMalformedInput(_ text: String) {
        #expect(throws: JSONParseError.self) { try JSONParser.parse(text) }
    }

    @Test func namesInvalidUTF8InsideStrings() {
        for bytes: [UInt8] in [[0x22, 0xFF, 0xFE, 0x22], [0x22, 0x5C, 0x6E, 0xC3, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22]] {
            #expect(throws: JSONParseError(reason: .invalidUTF8, offset: 1)) { try JSONParser.parse(bytes) }
        }
    }

    @Test func boundsNesting() throws {
        let deep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        #expect(throws: JSONParseError.self) { try JSONParser.parse(deep) }
        let allowed = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        _ = try JSONParser.parse(allowed)
        // Far past any stack: refused, not crashed.
        #expect(throws: JSONParseError.self) { try JSONParser.parse(String(repeating: "{\"a\":", count: 100_000)) }
    }

    /// Whatever Foundation writes, this parser reads back to the same value.
    @Test func readsWhatFoundationWrites() throws {
        var seed: UInt64 = 20_261_123
        for _ in 0..<300 {
            let object = Self.randomObject(depth: 0, seed: &seed)
            let data = try JSONSerialization.data(withJSONObject: object)
            let parsed = try JSONParser.parse(Array(data))
            #expect(Self.matches(parsed, object), "\(String(decoding: data, as: UTF8.self))")
        }
    }

    private static func next(_ seed: inout UInt64) -> UInt64 {
        seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return seed >> 33
    }

    private static func randomObject(depth: Int, seed: inout UInt64) -> [String: Any] {
        var object: [String: Any] = [:]
        for index in 0..<Int(next(&seed) % 5) {
            object["k\(index)\(randomString(&seed))"] = randomValue(depth: depth + 1, seed: &seed)
        }
        return object
    }

    private static func randomValue(depth: Int, seed: inout UInt64) -> Any {
        switch next(&seed) % (depth > 3 ? 4 : 6) {
        case 0: return randomString(&seed)
        case 1: return Int(next(&seed) % 2_000_000) - 1_000_000
        case 2: return Double(Int(next(&seed) % 100_000)) / 64
        case 3: return next(&seed) % 2 == 0
        case 4: return (0..<Int(next(&seed) % 4)).map { _ in randomValue(depth: depth + 1, seed: &seed) }
        default: return randomObject(depth: depth, seed: &seed)
        }
    }

    private static func randomString(_ seed: inout UInt64) -> String {
        let alphabet: [Character] = ["a", "Z", "\"", "\\", "/", "\n", "\t", "\u{1}", "é", "😀", "한", " "]
        return String((0..<Int(next(&seed) % 8)).map { _ in alphabet[Int(next(&seed) % UInt64(alphabet.count))] })
    }

    private static func matches(_ value: JSONValue, _ object: Any) -> Bool {
        switch value {
        case .string(let text): return (object as? String) == text
        case .bool(let flag): return (object as? Bool) == flag
        case .number(let number): return (object as? NSNumber)?.doubleValue == number
        case .array(let elements):
            guard let array = object as? [Any], array.count == elements.count else { return false }
            return zip(elements, array).allSatisfy { matches($0, $1) }
        case .object(let members):
            guard let dictionary = object as? [String: Any], dictionary.count == members.count else { return false }
            return members.allSatisfy { name, member in dictionary[name].map { matches(member, $0) } ?? false }
        case .null: return object is NSNull
        }
    }
}
