import Foundation

/// Parses the three HTTP-date forms a recipient must accept (RFC 9110 §5.6.7):
/// IMF-fixdate `Sun, 06 Nov 1994 08:49:37 GMT`, obsolete RFC 850
/// `Sunday, 06-Nov-94 08:49:37 GMT` and asctime `Sun Nov  6 08:49:37 1994`.
///
/// Done by hand rather than with `DateFormatter`: the format is fixed ASCII,
/// always GMT, and a hand parser has no locale or time-zone state to get wrong.
enum HTTPDate {
    static func parse(_ text: String) -> Date? {
        let tokens = text.split(whereSeparator: { $0 == " " || $0 == "," })
        let day: Int, month: Int, year: Int, time: Substring
        switch tokens.count {
        case 6 where tokens[5] == "GMT":  // IMF-fixdate
            guard let d = Int(tokens[1]), let m = monthNumber(tokens[2]), let y = Int(tokens[3]) else { return nil }
            (day, month, year, time) = (d, m, y, tokens[4])
        case 4 where tokens[3] == "GMT":  // RFC 850
            let parts = tokens[1].split(separator: "-")
            guard parts.count == 3, let d = Int(parts[0]), let m = monthNumber(parts[1]),
                  let yy = Int(parts[2]), parts[2].count == 2
            else { return nil }
            // Two-digit years: a simple pivot is enough for a retry hint.
            (day, month, year, time) = (d, m, yy < 70 ? 2000 + yy : 1900 + yy, tokens[2])
        case 5:  // asctime
            guard let m = monthNumber(tokens[1]), let d = Int(tokens[2]), let y = Int(tokens[4]) else { return nil }
            (day, month, year, time) = (d, m, y, tokens[3])
        default:
            return nil
        }
        let clock = time.split(separator: ":")
        guard clock.count == 3, let hour = Int(clock[0]), let minute = Int(clock[1]), let second = Int(clock[2]),
              (0...23).contains(hour), (0...59).contains(minute), (0...60).contains(second),
              (1...31).contains(day), (1...9999).contains(year)
        else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }

    private static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    private static func monthNumber(_ name: Substring) -> Int? {
        months.firstIndex(of: name.lowercased()).map { $0 + 1 }
    }

    /// Days since 1970-01-01 in the proleptic Gregorian calendar
    /// (H. Hinnant's `days_from_civil`).
    private static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
