import DecomposerCore
import Foundation
import SwiftProtobuf

/// `json [--rounds N]`: the project's own `JSONParser` against Foundation's
/// `JSONSerialization` and `JSONDecoder`, and swift-protobuf's JSON reader into
/// `Google_Protobuf_Struct` (the only other JSON reader among the mirrored
/// packages), on the two inputs it parses on hot paths, each from the form the
/// caller has it in:
///
/// - a `POST /api/decompose` body (bytes, as in the request's buffer; Foundation needs a `Data` copy),
///   to its three fields;
/// - a completed job's event payload (a `String`, as it comes from Redis pub/sub), the JSON the
///   queue's `emit` publishes, to the string fields `Job(eventPayload:)` reads.
///
/// ns per parse, the median of the rounds; the parsers take turns in each round. Then the other
/// way: the job JSON every watcher message and webhook carries, written by `JobRepresentation.bytes`
/// (`JobJSONWriter`) against Foundation's `JSONEncoder` (`json_render_{running,completed}_job_*`).
func jsonCase() throws {
    let rounds = option("--rounds", 9)
    let body = Array(#"{"file_id":"\#(UUID().uuidString.lowercased())","num_layers":5,"resolution":1024}"#.utf8)
    let payload = completedJobEventPayload()
    guard let job = Job(eventPayload: payload), job.layers.count == 5, job.status == .completed else {
        print("json: the event payload is not a completed job with 5 layers")
        exit(1)
    }
    report("json_event_payload_size", Double(payload.utf8.count), "bytes")

    struct DecomposeBody: Decodable {
        var file_id: String
        var num_layers: Int?
        var resolution: Int?
    }
    let decomposeParsers: [(String, () throws -> Int)] = [
        ("own", {
            guard case .object(let fields) = try JSONParser.parse(body), case .string(let id)? = fields["file_id"],
                case .number(let layers)? = fields["num_layers"], case .number(let resolution)? = fields["resolution"]
            else { return 0 }
            return id.utf8.count + Int(layers) + Int(resolution)
        }),
        ("jsonserialization", {
            guard let fields = try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
                let id = fields["file_id"] as? String, let layers = fields["num_layers"] as? Int,
                let resolution = fields["resolution"] as? Int
            else { return 0 }
            return id.utf8.count + layers + resolution
        }),
        ("jsondecoder", {
            let decoded = try JSONDecoder().decode(DecomposeBody.self, from: Data(body))
            return decoded.file_id.utf8.count + (decoded.num_layers ?? 0) + (decoded.resolution ?? 0)
        }),
        ("protobuf_struct", {
            let fields = try Google_Protobuf_Struct(jsonUTF8Bytes: body).fields
            guard case .stringValue(let id)? = fields["file_id"]?.kind, case .numberValue(let layers)? = fields["num_layers"]?.kind,
                case .numberValue(let resolution)? = fields["resolution"]?.kind
            else { return 0 }
            return id.utf8.count + Int(layers) + Int(resolution)
        }),
    ]
    let eventParsers: [(String, () throws -> Int)] = [
        ("own", { (try JSONParser.parse(payload)).stringFields?.count ?? 0 }),
        ("jsonserialization", { (try JSONSerialization.jsonObject(with: Data(payload.utf8)) as? [String: String])?.count ?? 0 }),
        ("jsondecoder", { try JSONDecoder().decode([String: String].self, from: Data(payload.utf8)).count }),
        ("protobuf_struct", {
            let fields = try Google_Protobuf_Struct(jsonString: payload).fields
            return fields.values.allSatisfy { if case .stringValue? = $0.kind { true } else { false } } ? fields.count : 0
        }),
    ]
    let inputs: [(String, [(String, () throws -> Int)], expected: Int, iterations: Int)] = [
        ("decompose_body", decomposeParsers, 36 + 5 + 1024, 20_000), ("job_event", eventParsers, 17, 2_000),
    ]
    for (input, parsers, expected, iterations) in inputs {
        for (name, parse) in parsers {
            let got = try parse()
            guard got == expected else {
                print("json: \(name) read \(got) from the \(input), expected \(expected)")
                exit(1)
            }
        }
        var nanoseconds: [String: [Double]] = [:]
        for _ in 0..<rounds {
            for (name, parse) in parsers {
                nanoseconds[name, default: []].append(try time(iterations) { try parse() } * 1e6)
            }
        }
        for (name, _) in parsers {
            report("json_\(input)_\(name)", median(nanoseconds[name] ?? []), "ns")
        }
    }

    var running = job
    running.status = .processing
    running.message = "Running on GPU (12 s)"
    for (input, rendered) in [("running_job", JobRepresentation(job: running)), ("completed_job", JobRepresentation(job: job))] {
        let renderers: [(String, () throws -> Int)] = [
            ("own", { rendered.bytes.count }),
            ("jsonencoder", { try JobRepresentation.encoder.encode(rendered).count }),
        ]
        var nanoseconds: [String: [Double]] = [:]
        for _ in 0..<rounds {
            for (name, render) in renderers {
                nanoseconds[name, default: []].append(try time(2_000) { try render() } * 1e6)
            }
        }
        for (name, _) in renderers {
            report("json_render_\(input)_\(name)", median(nanoseconds[name] ?? []), "ns")
        }
    }
}

/// What `emit` publishes when a 5-layer job completes: every field of the job's hash but the
/// lease token, as Redis's cjson writes it (strings only, `/` escaped), with the layer list
/// (`JobQueue.json(layers)`) as one string field.
func completedJobEventPayload() -> String {
    let id = UUID().uuidString.lowercased()
    let sizes = [1393.5, 220.1, 366.4, 256.9, 87.6]
    let layers = sizes.enumerated().map { index, size in
        #"{"filename":"layer_\#(index).png","height":1024,"index":\#(index),"size_kb":\#(size),"#
            + #""url":"/results/\#(id)/layer_\#(index).png","width":1024}"#
    }
    let created = 1_764_003_600_123
    let fields: [(String, String)] = [
        ("id", id), ("file_id", UUID().uuidString.lowercased()), ("num_layers", "5"), ("resolution", "1024"),
        ("max_attempts", "4"), ("max_recoveries", "3"), ("attempts", "1"), ("recoveries", "0"),
        ("cost_micros", "3125"), ("billed_attempts", ",1,"), ("version", "9"), ("created_at", "\(created)"),
        ("status", "completed"), ("progress", "100"), ("message", "Done"), ("updated_at", "\(created + 27_417)"),
        ("result", "[" + layers.joined(separator: ",") + "]"),
    ]
    func cjson(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "/", with: "\\/") + "\""
    }
    return "{" + fields.map { "\(cjson($0.0)):\(cjson($0.1))" }.joined(separator: ",") + "}"
}
