import Foundation
import SystemSupport
import Testing

/// The ids every key, file name and API answer spells: `lowercasedString` (a digit table),
/// `UUID(spelling:)` (a digit table) and `UUID.random()` (buffered kernel randomness).
@Suite struct UUIDSpellingTests {
    @Test func theLowercaseSpellingIsFoundationsSpellingLowercased() {
        let fixed = UUID(uuidString: "E621E1F8-C36C-495A-93FC-0C247A3E6E5F")!
        #expect(fixed.lowercasedString == "e621e1f8-c36c-495a-93fc-0c247a3e6e5f")
        for _ in 0..<1000 {
            let id = UUID()
            #expect(id.lowercasedString == id.uuidString.lowercased())
        }
    }

    @Test func readingAnIdAcceptsAndRefusesWhatFoundationDoes() {
        for _ in 0..<1000 {
            let id = UUID()
            #expect(UUID(spelling: id.uuidString) == id)
            #expect(UUID(spelling: id.lowercasedString) == id)
            #expect(UUID(spelling: "[\(id.lowercasedString)]".dropFirst().dropLast()) == id, "a substring")
        }
        let mixed = "e621E1F8-c36c-495A-93fc-0C247A3E6E5F"
        #expect(UUID(spelling: mixed) == UUID(uuidString: mixed))
        let refused = [
            "", "e621e1f8-c36c-495a-93fc-0c247a3e6e5", "e621e1f8-c36c-495a-93fc-0c247a3e6e5f0",
            "e621e1f8c36c495a93fc0c247a3e6e5f", "{e621e1f8-c36c-495a-93fc-0c247a3e6e5f}",
            " e621e1f8-c36c-495a-93fc-0c247a3e6e5f", "e621e1f8-c36c-495a-93fc-0c247a3e6e5g",
            "e621e1f8_c36c-495a-93fc-0c247a3e6e5f", "e621e1f-8c36c-495a-93fc-0c247a3e6e5f",
            "e621e1f8-c36c-495a-93fc-0c247a3e6e\u{0}f", "e621e1f8-c36c-495a-93fc-0c247a3e6é",
            "../../etc/passwd-c36c-495a-93fc-0c2474",
        ]
        for text in refused {
            #expect(UUID(uuidString: text) == nil, "Foundation refuses \(text.debugDescription)")
            #expect(UUID(spelling: text) == nil, "refused: \(text.debugDescription)")
        }
    }

    @Test func randomIdsAreVersion4AndDistinct() {
        var seen = Set<UUID>()
        for _ in 0..<10_000 {
            let id = UUID.random()
            let text = id.lowercasedString
            #expect(Array(text)[14] == "4", "version 4: \(text)")
            #expect("89ab".contains(Array(text)[19]), "RFC 4122 variant: \(text)")
            #expect(UUID(uuidString: text) == id)
            seen.insert(id)
        }
        #expect(seen.count == 10_000)
    }
}
