import Foundation

/// Calendar days in UTC, the unit costs are accumulated and reported in.
public enum UTCDay {
    private static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    /// `YYYY-MM-DD` of the UTC day containing `date`.
    public static func key(for date: Date) -> String {
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
    }

    /// The last `count` UTC days ending with the one containing `date`, oldest first.
    public static func keys(last count: Int, endingAt date: Date) -> [String] {
        (0..<max(count, 0)).reversed().map { offset in
            key(for: calendar.date(byAdding: .day, value: -offset, to: date) ?? date)
        }
    }

    /// The first instant of the next UTC day (when a daily budget resets).
    public static func startOfNextDay(after date: Date) -> Date {
        let start = calendar.startOfDay(for: date)
        return calendar.date(byAdding: .day, value: 1, to: start) ?? date.addingTimeInterval(86_400)
    }
}
