import Foundation

/// Turns whatever a server or proxy sent into one short line a person can
/// read in a job record: HTML tags, scripts and styles dropped, common
/// entities decoded, whitespace collapsed, credentials redacted, length capped.
///
/// Error pages from load balancers and proxies are HTML; storing them raw
/// would fill the job record with markup and hide the one sentence that matters.
enum ReadableText {
    /// How much of a body is looked at; the useful sentence is near the top.
    static let scanLimit = 16 * 1024
    /// How many characters of a non-JSON body are kept.
    static let summaryLimit = 200

    /// The start of `body` as readable text (empty for an empty body).
    static func summary(of body: [UInt8], limit: Int = summaryLimit) -> String {
        var text = String(decoding: body.prefix(scanLimit), as: UTF8.self)
        // A multi-byte character cut by the scan limit decodes as U+FFFD.
        if body.count > scanLimit { while text.last == "\u{FFFD}" { text.removeLast() } }
        return collapsed(redacted(decodeEntities(strippingTags(text))), limit: limit)
    }

    /// Whitespace runs become one space; the result is cut at `limit`
    /// characters with an ellipsis.
    static func collapsed(_ text: String, limit: Int) -> String {
        let words = text.split(whereSeparator: { $0.isWhitespace || $0.isNewline })
        let line = words.joined(separator: " ")
        guard line.count > limit else { return line }
        return line.prefix(limit).trimmingCharacters(in: .whitespaces) + "…"
    }

    /// Hides bearer tokens, OAuth access tokens and API keys a proxy page or
    /// a transport error might echo back.
    static func redacted(_ text: String) -> String {
        guard text.contains("ya29.") || text.contains("AIza") || text.range(of: "bearer", options: .caseInsensitive) != nil else {
            return text
        }
        return text
            .replacing(/(?i)bearer\s+[A-Za-z0-9._~+\/=-]+/, with: "Bearer [redacted]")
            .replacing(/ya29\.[A-Za-z0-9._-]+/, with: "[redacted]")
            .replacing(/AIza[0-9A-Za-z_-]{20,}/, with: "[redacted]")
    }

    /// Replaces markup with spaces; `<script>`/`<style>` contents and comments
    /// are dropped entirely. A `<` with no closing `>` is kept as text.
    static func strippingTags(_ text: String) -> String {
        guard text.contains("<") else { return text }
        var output = ""
        output.reserveCapacity(text.utf8.count)
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            guard character == "<" else {
                output.append(character)
                index = text.index(after: index)
                continue
            }
            let rest = text[index...]
            let end: String.Index?
            if rest.hasPrefix("<!--") {
                end = rest.range(of: "-->")?.upperBound
            } else if let element = ["script", "style"].first(where: { rest.dropFirst().prefix(6).lowercased().hasPrefix($0) }) {
                end = rest.range(of: "</\(element)", options: .caseInsensitive)
                    .flatMap { closing in rest[closing.upperBound...].firstIndex(of: ">").map { rest.index(after: $0) } }
            } else {
                end = rest.firstIndex(of: ">").map { rest.index(after: $0) }
            }
            guard let end else {
                output.append(character)
                index = text.index(after: index)
                continue
            }
            output.append(" ")
            index = end
        }
        return output
    }

    private static let entities: [(String, String)] = [
        ("&nbsp;", " "), ("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&#x27;", "'"),
        ("&apos;", "'"), ("&amp;", "&"),
    ]

    static func decodeEntities(_ text: String) -> String {
        guard text.contains("&") else { return text }
        var text = text
        for (entity, replacement) in entities { text = text.replacing(entity, with: replacement) }
        return text
    }
}
