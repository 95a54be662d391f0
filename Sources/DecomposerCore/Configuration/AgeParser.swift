import Foundation

/// Parses ages like `7d`, `12h`, `30m`, `45s` (a bare number is days).
public enum AgeParser {
    public static func parse(_ text: String) -> Duration? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        guard let unit = trimmed.last else { return nil }
        let multipliers: [Character: Int64] = ["s": 1, "m": 60, "h": 3600, "d": 86_400, "w": 604_800]
        if let multiplier = multipliers[unit], let amount = Int64(trimmed.dropLast()), amount >= 0 {
            return .seconds(amount * multiplier)
        }
        if let days = Int64(trimmed), days >= 0 { return .seconds(days * 86_400) }
        return nil
    }
}
