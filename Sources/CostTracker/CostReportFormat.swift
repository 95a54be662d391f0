import Foundation

/// How `decomposer cost-report` prints a `CostReport`.
public enum CostReportFormat: String, Sendable, CaseIterable {
    /// Aligned columns for a terminal, with a total row.
    case table
    /// Exactly the `/api/costs` JSON.
    case json
    /// `date,requests,failed_requests,gpu_seconds,usd,cache_hits,cache_avoided_usd`, a `total` row last.
    case csv
}

extension CostReport {
    /// The JSON of `/api/costs` (keys sorted, so the text is the same everywhere).
    public func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    public func rendered(as format: CostReportFormat) -> String {
        switch format {
        case .json: return json() + "\n"
        case .csv: return csv()
        case .table: return table()
        }
    }

    private var totals: CostDay {
        days.reduce(into: CostDay(date: "total")) { total, day in
            total.microdollars += day.microdollars
            total.gpuMilliseconds += day.gpuMilliseconds
            total.requests += day.requests
            total.failedRequests += day.failedRequests
            total.cacheHits += day.cacheHits
            total.cacheAvoidedMicrodollars += day.cacheAvoidedMicrodollars
        }
    }

    private func csv() -> String {
        let rows = (days + [totals]).map { day in
            "\(day.date),\(day.requests),\(day.failedRequests),\(Self.seconds(day.gpuMilliseconds)),\(Self.dollars(day.microdollars)),"
                + "\(day.cacheHits),\(Self.dollars(day.cacheAvoidedMicrodollars))"
        }
        return (["date,requests,failed_requests,gpu_seconds,usd,cache_hits,cache_avoided_usd"] + rows).joined(separator: "\n") + "\n"
    }

    private func table() -> String {
        let header = ["date", "requests", "failed", "GPU seconds", "USD", "cache hits", "USD avoided"]
        let body = days.map(Self.cells)
        let total = Self.cells(totals)
        let widths = header.indices.map { column in
            ([header] + body + [total]).map { $0[column].count }.max() ?? 0
        }
        func line(_ cells: [String]) -> String {
            // The date column is left-aligned, figures right-aligned.
            cells.enumerated().map { column, cell in
                let padding = String(repeating: " ", count: widths[column] - cell.count)
                return column == 0 ? cell + padding : padding + cell
            }.joined(separator: "  ")
        }
        let rule = widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")
        return ([line(header), rule] + body.map(line) + [rule, line(total)]).joined(separator: "\n") + "\n"
    }

    private static func cells(_ day: CostDay) -> [String] {
        [
            day.date, String(day.requests), String(day.failedRequests), seconds(day.gpuMilliseconds), dollars(day.microdollars),
            String(day.cacheHits), dollars(day.cacheAvoidedMicrodollars),
        ]
    }

    /// Exact: three decimals of seconds are the stored milliseconds.
    static func seconds(_ milliseconds: Int64) -> String {
        "\(milliseconds / 1000).\(String(format: "%03d", milliseconds % 1000))"
    }

    /// Exact: six decimals of dollars are the stored micro-dollars.
    static func dollars(_ microdollars: Int64) -> String {
        "\(microdollars / 1_000_000).\(String(format: "%06d", microdollars % 1_000_000))"
    }
}
