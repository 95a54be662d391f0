import ArgumentParser
import DecomposerCore
import Foundation
import LocalEndpoint
import Logging
import ServiceLifecycle

/// `decomposer endpoint`: a local, CPU-only, Vertex-compatible prediction
/// endpoint with optional fault injection (stops gracefully on SIGTERM/SIGINT).
struct EndpointCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "endpoint",
        abstract: "Serve a local CPU-only, Vertex-compatible prediction endpoint (stops gracefully on SIGTERM/SIGINT).",
        discussion: """
            Point workers at it with VERTEX_AI_API_ENDPOINT=http://HOST:PORT (any VERTEX_AI_PROJECT_ID and \
            VERTEX_AI_ENDPOINT_ID). Every fault option can also be set in the environment: \
            \(FaultOption.allCases.map { "\($0.flag) = \($0.environmentKey)" }.joined(separator: ", ")). \
            Flags win over the environment. Fault probabilities are per request, exclusive, and add up to at most 1.
            """)

    @Option(help: "Address to listen on (default: HOST, else 127.0.0.1).")
    var host: String?

    @Option(help: "Port to listen on, 0 for any free one (default: PORT, else 8080).")
    var port: Int?

    @Option(help: "Latency added to every answer, in ms: fixed (500) or a random range (200-800).")
    var latencyMs: String?

    @Option(help: "Probability of a 429 RESOURCE_EXHAUSTED answer with Retry-After.")
    var rateLimitProbability: String?

    @Option(help: "Retry-After of injected 429s, in seconds (default 1).")
    var retryAfter: String?

    @Option(help: "Probability of a 503 UNAVAILABLE answer.")
    var unavailableProbability: String?

    @Option(help: "Probability of never answering (until --hang-seconds or shutdown), past any client timeout.")
    var hangProbability: String?

    @Option(help: "How long an injected hang lasts at most, in seconds (default 3600).")
    var hangSeconds: String?

    @Option(help: "Probability of a 200 whose body is cut-off JSON.")
    var malformedProbability: String?

    @Option(help: "Probability of a 200 with one layer fewer than asked for (one more when one was asked).")
    var wrongLayersProbability: String?

    @Option(help: "Seed of the fault schedule, so a run repeats (default: random, logged at start-up).")
    var seed: String?

    @Option(help: "Append one JSON line per :predict request (arrival ms, outcome, status, duration ms) to this file (also ENDPOINT_REQUEST_LOG).")
    var requestLog: String?

    func run() async throws {
        let values: ConfigurationValues
        let faults: FaultSettings
        let requestLog: RequestLog?
        let host: String
        let port: Int
        do {
            values = try ConfigurationValues.fromProcess()
            host = self.host ?? values.string("HOST", default: "127.0.0.1")
            if let flag = self.port {
                guard (0...65535).contains(flag) else {
                    throw ConfigurationError(key: "--port", expected: "an integer from 0 to 65535", actual: "\(flag)")
                }
                port = flag
            } else {
                port = try values.integer("PORT", default: 8080, in: 1...65535)
            }
            faults = try FaultSettings.parse(faultValues(values), defaultSeed: UInt64.random(in: 0...UInt64(UInt32.max)))
            if let path = self.requestLog ?? values.string(RequestLog.environmentKey), !path.isEmpty {
                requestLog = try RequestLog(path: path)
            } else {
                requestLog = nil
            }
        } catch {
            FileHandle.standardError.write(Data("decomposer: configuration error: \(error)\n".utf8))
            throw ExitCode(2)
        }

        LoggingBootstrap.bootstrapOnce()
        let logger = Logger(label: "endpoint")
        let server = LocalEndpointServer(settings: LocalEndpointSettings(faults: faults, requestLog: requestLog), logger: logger)
        let application = server.makeApplication(host: host, port: port) { channel in
            let bound = channel.localAddress?.port ?? port
            let url = "http://\(Self.reachableHost(host)):\(bound)"
            logger.info("Local CPU endpoint on \(url); workers use VERTEX_AI_API_ENDPOINT=\(url) (faults: \(faults.summary))\(requestLog.map { "; requests logged to \($0.path)" } ?? "")")
        }
        let group = ServiceGroup(configuration: .init(
            services: [application], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        // Lines of requests that ended during shutdown are still written before exit.
        do {
            try await group.run()
        } catch {
            await requestLog?.close()
            throw error
        }
        await requestLog?.close()
    }

    /// Each fault option from its flag, else its environment variable.
    private func faultValues(_ values: ConfigurationValues) -> [FaultOption: String] {
        let flags: [FaultOption: String?] = [
            .latencyMs: latencyMs, .rateLimitProbability: rateLimitProbability, .retryAfter: retryAfter,
            .unavailableProbability: unavailableProbability, .hangProbability: hangProbability, .hangSeconds: hangSeconds,
            .malformedProbability: malformedProbability, .wrongLayersProbability: wrongLayersProbability, .seed: seed,
        ]
        var result: [FaultOption: String] = [:]
        for option in FaultOption.allCases {
            let flag: String? = flags[option] ?? nil
            if let value = flag ?? values.string(option.environmentKey) { result[option] = value }
        }
        return result
    }

    /// A wildcard address is not something a worker can connect to; on this
    /// machine it is reachable as loopback.
    private static func reachableHost(_ host: String) -> String {
        switch host {
        case "0.0.0.0", "": "127.0.0.1"
        case "::", "[::]": "[::1]"
        default: host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        }
    }
}
