import Foundation

/// Reads a `.env` file: `KEY=value` lines, `#` comments, an optional
/// `export ` prefix, and single- or double-quoted values (quotes removed;
/// `\n`, `\"` and `\\` unescaped inside double quotes).
public enum EnvironmentFile {
    public static func parse(_ text: String) -> [String: String] {
        var values: [String: String] = [:]
        for rawLine in text.split(whereSeparator: \.isNewline) {
            var line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("export ") { line = String(line.dropFirst(7)).trimmingCharacters(in: .whitespaces) }
            guard let equals = line.firstIndex(of: "=") else { continue }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces)
            guard !key.isEmpty else { continue }
            values[key] = value(String(line[line.index(after: equals)...]).trimmingCharacters(in: .whitespaces))
        }
        return values
    }

    /// The file's values, or none when it does not exist.
    public static func load(path: String) throws -> [String: String] {
        guard FileManager.default.fileExists(atPath: path) else { return [:] }
        return parse(try String(contentsOfFile: path, encoding: .utf8))
    }

    private static func value(_ raw: String) -> String {
        if raw.hasPrefix("\""), let end = closingQuote(in: raw) {
            var result = ""
            var escaped = false
            for character in raw[raw.index(after: raw.startIndex)..<end] {
                if escaped {
                    result.append(character == "n" ? "\n" : character)
                    escaped = false
                } else if character == "\\" {
                    escaped = true
                } else {
                    result.append(character)
                }
            }
            return result
        }
        if raw.hasPrefix("'"), let end = raw.dropFirst().firstIndex(of: "'") {
            return String(raw[raw.index(after: raw.startIndex)..<end])
        }
        // Unquoted: a ` #` starts a trailing comment.
        if let comment = raw.range(of: " #") { return raw[..<comment.lowerBound].trimmingCharacters(in: .whitespaces) }
        return raw
    }

    private static func closingQuote(in raw: String) -> String.Index? {
        var index = raw.index(after: raw.startIndex)
        var escaped = false
        while index < raw.endIndex {
            let character = raw[index]
            if escaped { escaped = false } else if character == "\\" { escaped = true } else if character == "\"" { return index }
            index = raw.index(after: index)
        }
        return nil
    }
}
