import DecomposerCore
import Foundation
import SystemSupport
import Testing

/// The job JSON written directly (`JobRepresentation.bytes`) says what Foundation's `JSONEncoder`
/// makes of the same `JobRepresentation` — the same members with the same values — over every
/// status, place, error, parent, layer list, awkward string, cost and date, so a client cannot tell
/// which one wrote a message. (Not byte for byte: the encoder on Linux writes an object's members in
/// an order that changes from process to process; the writer keeps the contract's order.)
@Suite struct JobJSONWriterTests {
    /// Every byte below 0x80 (each control character, quote, backslash and slash) and some beyond.
    private static let awkward = String(decoding: (0..<0x80).map { UInt8($0) }, as: UTF8.self) + "é 😀 \u{2028} / \\ \""

    private static let places: [QueuePlace?] = [
        nil, .waiting(position: 1, etaSeconds: nil), .waiting(position: 42, etaSeconds: 17), .retryBackoff, .budgetHold,
        .operatorPause, .notWaiting,
    ]

    private func job(_ random: inout SeededGenerator, status: JobStatus) -> Job {
        let created = Int64.random(in: 0...4_102_444_800_000, using: &random)
        var job = Job(fields: [
            "id": UUID().uuidString, "file_id": UUID().uuidString, "status": status.rawValue,
            "num_layers": "\(Int.random(in: 1...10, using: &random))", "resolution": "1024",
            "version": "\(Int.random(in: 1...100_000, using: &random))", "created_at": "\(created)",
            "updated_at": "\(created + Int64.random(in: 0...86_400_000, using: &random))",
        ])!
        job.progress = Int.random(in: 0...100, using: &random)
        job.attempts = Int.random(in: 0...5, using: &random)
        job.recoveries = Int.random(in: 0...3, using: &random)
        job.message = Bool.random(using: &random) ? "Running on GPU (12 s)" : Self.awkward
        job.costMicros = [0, 1, 10, 999_999, 1_000_000, 123_456_789, Int64.random(in: 0...10_000_000_000_000, using: &random)]
            .randomElement(using: &random)!
        job.cached = Bool.random(using: &random)
        job.layers = (0..<Int.random(in: 0...4, using: &random)).map { index in
            LayerResult(
                index: index, filename: "layer_\(index).png", url: "/api/results/\(job.id.lowercasedString)/layer_\(index).png?v=1&x=/",
                sizeKB: [0, 0.1, 1e-5, 1024, 123.4, Double.random(in: 0...100_000, using: &random)].randomElement(using: &random)!,
                width: 1024, height: 768)
        }
        if Bool.random(using: &random) {
            job.error = JobError(
                code: "gpu_unavailable", message: Bool.random(using: &random) ? "busy" : Self.awkward,
                googleStatus: Bool.random(using: &random) ? "UNAVAILABLE" : nil)
        }
        if Bool.random(using: &random) { job.parent = JobParent(jobID: UUID(), layer: Int.random(in: 0...9, using: &random)) }
        return job
    }

    @Test func theWrittenJSONIsWhatJSONEncoderWrites() throws {
        var random = SeededGenerator(seed: 23)
        var compared = 0
        for status in JobStatus.allCases {
            for place in Self.places {
                for _ in 0..<40 {
                    let representation = JobRepresentation(job: job(&random, status: status), place: place)
                    try expectSameJSON(representation)
                    compared += 1
                }
            }
        }
        #expect(compared == JobStatus.allCases.count * Self.places.count * 40)
    }

    /// Dates at the edges of a second, a day, a leap day and a century.
    @Test(arguments: [
        Int64(0), 999, 1000, 59_999, 86_399_999, 86_400_000, 951_782_400_000, 1_709_164_799_999, 1_709_251_200_000,
        4_102_444_799_999, 4_102_444_800_000,
    ])
    func datesAreWrittenAsJSONEncoderWritesThem(milliseconds: Int64) throws {
        var random = SeededGenerator(seed: UInt64(milliseconds))
        var job = job(&random, status: .processing)
        job.createdAt = Date(millisecondsSince1970: milliseconds)
        job.updatedAt = Date(millisecondsSince1970: milliseconds)
        let representation = JobRepresentation(job: job)
        try expectSameJSON(representation)
        let written = String(decoding: representation.bytes, as: UTF8.self)
        let encoded = String(decoding: try JobRepresentation.encoder.encode(representation), as: UTF8.self)
        let dateRange = try #require(written.firstRange(of: #/"created_at":"[^"]*"/#))
        let date = written[dateRange]
        #expect(encoded.contains(date), "\(date) in \(encoded)")
    }

    /// Members in the contract's order, the job's fields first and the queue place's last.
    @Test func membersComeInTheContractsOrder() throws {
        var random = SeededGenerator(seed: 7)
        let representation = JobRepresentation(job: job(&random, status: .queued), place: .waiting(position: 3, etaSeconds: 40))
        let text = String(decoding: representation.bytes, as: UTF8.self)
        let keys = ["job_id", "file_id", "status", "progress", "message", "version", "num_layers", "resolution", "attempts",
            "recoveries", "created_at", "updated_at", "layers", "error", "cost_usd", "cached", "parent", "position",
            "eta_seconds", "waiting_reason"]
        let offsets = try keys.map { key in try #require(text.range(of: "\"\(key)\":")).lowerBound }
        #expect(offsets == offsets.sorted(), "\(text)")
    }

    /// Parsed, the writer's JSON and the encoder's are the same object; numbers and dates are
    /// also spelled alike (`1e-06`, `2026-12-07T02:16:23Z`), so each scalar member's text is found in both.
    private func expectSameJSON(_ representation: JobRepresentation) throws {
        let written = representation.bytes
        let encoded = try JobRepresentation.encoder.encode(representation)
        let writtenObject = try #require(try JSONSerialization.jsonObject(with: Data(written)) as? NSDictionary)
        let encodedObject = try #require(try JSONSerialization.jsonObject(with: encoded) as? NSDictionary)
        #expect(writtenObject == encodedObject, "\(String(decoding: written, as: UTF8.self))\n\(String(decoding: encoded, as: UTF8.self))")
        let encodedText = String(decoding: encoded, as: UTF8.self)
        for key in ["cost_usd", "created_at", "updated_at", "version", "cached"] {
            let text = String(decoding: written, as: UTF8.self)
            let range = try #require(text.firstRange(of: try Regex("\"\(key)\":[^,}]*")))
            let member = text[range]
            #expect(encodedText.contains(member), "\(member) in \(encodedText)")
        }
    }
}
