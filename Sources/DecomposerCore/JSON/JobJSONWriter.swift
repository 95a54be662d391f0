import Foundation
import SystemSupport

/// Writes the job JSON (`JobRepresentation`) as `JobRepresentation.encoder` would — the same
/// members, values and spellings — without Foundation's `JSONEncoder`: the watch hub renders every
/// change of every watched job, and with 10,000 jobs updated once a second the encoder was a sixth of
/// the API's CPU (bench/README.md, issue 23). Not byte for byte: the members come in the contract's
/// order, where the encoder on Linux picks an order per process. `JobJSONWriterTests` holds the two
/// equal when parsed, over every shape of job; the `Encodable` conformance stays for the JSON that
/// holds a job inside other JSON (the admin API).
struct JobJSONWriter {
    private(set) var bytes: [UInt8] = []

    init(_ representation: JobRepresentation) {
        let job = representation.job
        bytes.reserveCapacity(512 + job.layers.count * 160 + job.message.utf8.count)
        raw("{\"job_id\":")
        string(job.id.lowercasedString)
        raw(",\"file_id\":")
        string(job.fileID.lowercasedString)
        raw(",\"status\":")
        string(job.status.rawValue)
        raw(",\"progress\":")
        integer(job.progress)
        raw(",\"message\":")
        string(job.message)
        raw(",\"version\":")
        integer(job.version)
        raw(",\"num_layers\":")
        integer(job.numLayers)
        raw(",\"resolution\":")
        integer(job.resolution)
        raw(",\"attempts\":")
        integer(job.attempts)
        raw(",\"recoveries\":")
        integer(job.recoveries)
        raw(",\"created_at\":")
        date(job.createdAt)
        raw(",\"updated_at\":")
        date(job.updatedAt)
        raw(",\"layers\":[")
        for (index, layer) in (job.status == .completed ? job.layers : []).enumerated() {
            raw(index == 0 ? "{\"index\":" : ",{\"index\":")
            integer(layer.index)
            raw(",\"filename\":")
            string(layer.filename)
            raw(",\"url\":")
            string(layer.url)
            raw(",\"size_kb\":")
            number(layer.sizeKB)
            raw(",\"width\":")
            integer(layer.width)
            raw(",\"height\":")
            integer(layer.height)
            raw("}")
        }
        raw("],\"error\":")
        if let error = job.error {
            raw("{\"code\":")
            string(error.code)
            raw(",\"message\":")
            string(error.message)
            raw(",\"google_status\":")
            if let status = error.googleStatus { string(status) } else { raw("null") }
            raw("}")
        } else {
            raw("null")
        }
        raw(",\"cost_usd\":")
        number(Double(job.costMicros) / 1_000_000)
        raw(job.cached ? ",\"cached\":true" : ",\"cached\":false")
        raw(",\"parent\":")
        if let parent = job.parent {
            raw("{\"job_id\":")
            string(parent.jobID.lowercasedString)
            raw(",\"layer\":")
            integer(parent.layer)
            raw("}")
        } else {
            raw("null")
        }
        if job.status == .queued, let place = representation.place, place != .notWaiting {
            var position: Int?, eta: Int?
            if case .waiting(let at, let seconds) = place { (position, eta) = (at, seconds) }
            raw(",\"position\":")
            if let position { integer(position) } else { raw("null") }
            raw(",\"eta_seconds\":")
            if let eta { integer(eta) } else { raw("null") }
            raw(",\"waiting_reason\":")
            if let reason = place.waitingReason { string(reason) } else { raw("null") }
        }
        raw("}")
    }

    private mutating func raw(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    private mutating func integer(_ value: Int) {
        bytes.append(contentsOf: String(value).utf8)
    }

    /// As `JSONEncoder` writes a `Double`: its shortest description, without a trailing `.0`.
    private mutating func number(_ value: Double) {
        var text = value.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        bytes.append(contentsOf: text.utf8)
    }

    /// RFC 8259 escapes as `JSONEncoder` writes them, slashes unescaped (`.withoutEscapingSlashes`).
    private mutating func string(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): raw("\\\"")
            case UInt8(ascii: "\\"): raw("\\\\")
            case 0x08: raw("\\b")
            case 0x0C: raw("\\f")
            case 0x0A: raw("\\n")
            case 0x0D: raw("\\r")
            case 0x09: raw("\\t")
            case 0..<0x20:
                raw("\\u00")
                bytes.append(Self.hexDigits[Int(byte >> 4)])
                bytes.append(Self.hexDigits[Int(byte & 0x0F)])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// `.iso8601` as `JSONEncoder` writes it: UTC, whole seconds (`2026-12-07T02:16:23Z`).
    private mutating func date(_ date: Date) {
        let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        // Days since 1970-01-01 to a civil date (Howard Hinnant's `civil_from_days`).
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        bytes.append(UInt8(ascii: "\""))
        digits(year, 4)
        bytes.append(UInt8(ascii: "-"))
        digits(month, 2)
        bytes.append(UInt8(ascii: "-"))
        digits(day, 2)
        bytes.append(UInt8(ascii: "T"))
        digits(secondOfDay / 3600, 2)
        bytes.append(UInt8(ascii: ":"))
        digits(secondOfDay / 60 % 60, 2)
        bytes.append(UInt8(ascii: ":"))
        digits(secondOfDay % 60, 2)
        raw("Z\"")
    }

    private mutating func digits(_ value: Int64, _ width: Int) {
        var divisor: Int64 = 1
        for _ in 1..<width { divisor *= 10 }
        while divisor > 0 {
            bytes.append(UInt8(ascii: "0") + UInt8(value / divisor % 10))
            divisor /= 10
        }
    }
}
