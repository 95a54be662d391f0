import LocalEndpoint
import Testing

/// Reading the fault settings from flags or environment, and the seeded
/// schedule they produce.
@Suite struct FaultSettingsTests {
    @Test func everyOptionHasAFlagAndAnEnvironmentVariable() {
        #expect(FaultOption.allCases.map(\.environmentKey) == [
            "ENDPOINT_LATENCY_MS", "ENDPOINT_RATE_LIMIT_PROBABILITY", "ENDPOINT_RETRY_AFTER",
            "ENDPOINT_UNAVAILABLE_PROBABILITY", "ENDPOINT_HANG_PROBABILITY", "ENDPOINT_HANG_SECONDS",
            "ENDPOINT_MALFORMED_PROBABILITY", "ENDPOINT_WRONG_LAYERS_PROBABILITY", "ENDPOINT_SEED",
        ])
        #expect(FaultOption.latencyMs.flag == "--latency-ms")
    }

    @Test func readsFixedAndRangedLatencyAndEveryProbability() throws {
        let settings = try FaultSettings.parse([
            .latencyMs: "200-800", .rateLimitProbability: "0.3", .retryAfter: "4", .unavailableProbability: "0.1",
            .hangProbability: "0.05", .hangSeconds: "90", .malformedProbability: "0.05", .wrongLayersProbability: " 0.1 ",
            .seed: "7",
        ], defaultSeed: 1)
        #expect(settings.latency == LatencyRange(milliseconds: 200, 800))
        #expect(settings.rateLimitProbability == 0.3 && settings.retryAfterSeconds == 4)
        #expect(settings.unavailableProbability == 0.1 && settings.hangProbability == 0.05)
        #expect(settings.hangDuration == .seconds(90))
        #expect(settings.malformedProbability == 0.05 && settings.wrongLayersProbability == 0.1)
        #expect(settings.seed == 7)
        #expect(try FaultSettings.parse([.latencyMs: "500"], defaultSeed: 1).latency == LatencyRange(milliseconds: 500, 500))
        let defaults = try FaultSettings.parse([:], defaultSeed: 99)
        #expect(defaults.seed == 99 && defaults.latency == .zero && defaults.retryAfterSeconds == 1)
        #expect(defaults.summary == "no faults")
    }

    @Test(arguments: [
        (FaultOption.latencyMs, "800-200", "--latency-ms / ENDPOINT_LATENCY_MS must be milliseconds (500) or a range (200-800) (got \"800-200\")"),
        (.latencyMs, "fast", "ENDPOINT_LATENCY_MS"),
        (.rateLimitProbability, "1.5", "--rate-limit-probability / ENDPOINT_RATE_LIMIT_PROBABILITY must be a probability from 0 to 1 (got \"1.5\")"),
        (.hangProbability, "-0.1", "ENDPOINT_HANG_PROBABILITY"),
        (.retryAfter, "soon", "--retry-after / ENDPOINT_RETRY_AFTER must be whole seconds"),
        (.hangSeconds, "0", "ENDPOINT_HANG_SECONDS"),
        (.seed, "-3", "--seed / ENDPOINT_SEED"),
    ])
    func refusesUnusableValuesNamingFlagAndVariable(option: FaultOption, value: String, message: String) {
        #expect {
            _ = try FaultSettings.parse([option: value], defaultSeed: 0)
        } throws: { error in
            "\(error)".contains(message)
        }
    }

    @Test func probabilitiesMayNotAddUpToMoreThanOne() {
        #expect(throws: FaultSettingsError.self) {
            _ = try FaultSettings.parse([.rateLimitProbability: "0.6", .unavailableProbability: "0.5"], defaultSeed: 0)
        }
        #expect(throws: Never.self) {
            _ = try FaultSettings.parse([.rateLimitProbability: "0.5", .unavailableProbability: "0.5"], defaultSeed: 0)
        }
    }

    @Test func theScheduleDependsOnlyOnTheSeed() throws {
        let settings = try FaultSettings(
            latency: try #require(LatencyRange(milliseconds: 200, 800)), rateLimitProbability: 0.25,
            unavailableProbability: 0.25, hangProbability: 0.1, malformedProbability: 0.1, wrongLayersProbability: 0.1,
            seed: 2026)
        let draws = FaultPlan(settings).drawing(400)
        #expect(FaultPlan(settings).drawing(400) == draws)
        let other = try FaultSettings(
            latency: settings.latency, rateLimitProbability: 0.25, unavailableProbability: 0.25, hangProbability: 0.1,
            malformedProbability: 0.1, wrongLayersProbability: 0.1, seed: 2027)
        #expect(FaultPlan(other).drawing(400) != draws)
        #expect(draws.allSatisfy { $0.latency >= .milliseconds(200) && $0.latency <= .milliseconds(800) })
        // Every outcome occurs, roughly as often as asked (400 draws: far outside these bounds is a broken plan).
        let rateLimited = draws.filter { $0.fault == .rateLimited }.count
        let normal = draws.filter { $0.fault == nil }.count
        #expect((60...140).contains(rateLimited) && (40...120).contains(normal), "429: \(rateLimited), normal: \(normal)")
        #expect(Set(draws.compactMap(\.fault)) == Set(Fault.allCases))
    }

    @Test func aRangeCoversBothEnds() throws {
        let range = try #require(LatencyRange(milliseconds: 200, 800))
        #expect(range.duration(at: 0) == .milliseconds(200))
        #expect(range.duration(at: 0.999_999_9) == .milliseconds(800))
        #expect(LatencyRange(milliseconds: 5, 4) == nil)
        #expect(LatencyRange(parsing: "1-2-3") == nil)
    }
}

extension FaultPlan {
    func drawing(_ count: Int) -> [Draw] { (0..<count).map { _ in next() } }
}
