import DecomposerCore
import Foundation
import Testing

@Suite struct ConfigurationTests {
    @Test func defaultsMatchTheDocumentedOnes() throws {
        let configuration = try DecomposerConfiguration(ConfigurationValues(environment: [:]))
        #expect(configuration.redis.host == "127.0.0.1" && configuration.redis.port == 6379)
        #expect(configuration.redis.database == 0)
        #expect(configuration.port == 8000)
        #expect(configuration.keyPrefix == "{decomposer}")
        #expect(configuration.maxConcurrentJobs == 4)
        #expect(configuration.queue.leaseDuration == .seconds(30))
        #expect(configuration.queue.maxAttempts == 4, "MAX_RETRIES=3 means at most 4 calls")
        #expect(configuration.queue.retention == .seconds(7 * 86_400))
        #expect(configuration.retryBaseDelay == .seconds(1))
        #expect(configuration.retryMaxDelay == .seconds(60))
        #expect(configuration.vertex.timeout == .seconds(300))
        #expect(configuration.vertex.location == "us-central1")
        #expect(configuration.gpuCostPerHour == nil, "the GPU_TYPE list price applies")
        #expect(configuration.dailyBudgetUSD == nil)
        #expect(configuration.maxUploadBytes == 25 << 20)
        #expect(configuration.apiKey == nil)
        #expect(configuration.adminAPIKey == nil, "no admin page or admin API unless ADMIN_API_KEY is set")
        #expect(configuration.corsAllowedOrigins == [])
        #expect(configuration.vertex.maxRequestBytes == 1_500_000)
        #expect(configuration.vertex.connectTimeout == .seconds(10))
        #expect(configuration.jobDeadline == .seconds(1800))
        #expect(configuration.workerPort == nil, "unset by default so several workers can share a host")
    }

    /// The admin key is a key of its own: the API's key cannot double as it (and is never printed).
    @Test func theAdminKeyMustDifferFromTheAPIKey() throws {
        let both = try DecomposerConfiguration(ConfigurationValues(environment: ["API_KEY": "a", "ADMIN_API_KEY": "b"]))
        #expect(both.adminAPIKey == "b")
        #expect(try DecomposerConfiguration(ConfigurationValues(environment: ["ADMIN_API_KEY": ""])).adminAPIKey == nil)
        #expect(throws: ConfigurationError.self) {
            try DecomposerConfiguration(ConfigurationValues(environment: ["API_KEY": "same-key", "ADMIN_API_KEY": "same-key"]))
        }
        do {
            _ = try DecomposerConfiguration(ConfigurationValues(environment: ["API_KEY": "same-key", "ADMIN_API_KEY": "same-key"]))
        } catch {
            #expect(error.key == "ADMIN_API_KEY" && !error.description.contains("same-key"), "\(error)")
        }
    }

    @Test func theRealEnvironmentWinsOverTheEnvFile() throws {
        let file = EnvironmentFile.parse("""
            # comment
            export PORT=9000
            REDIS_URL="redis://:pa ss@redis.internal:6380/2"
            RETRY_BASE_DELAY='0.25'
            VERTEX_AI_PROJECT_ID=poster-123 # trailing comment
            MAX_RETRIES=5
            """)
        let values = ConfigurationValues(environment: ["MAX_RETRIES": "1"], environmentFile: file)
        let configuration = try DecomposerConfiguration(values)
        #expect(configuration.port == 9000)
        #expect(configuration.redis.host == "redis.internal" && configuration.redis.database == 2)
        #expect(configuration.redis.password == "pa ss")
        #expect(configuration.retryBaseDelay == .milliseconds(250))
        #expect(configuration.vertex.projectID == "poster-123")
        #expect(configuration.queue.maxAttempts == 2)
    }

    @Test(arguments: [
        ("PORT", "abc", "an integer from 1 to 65535"),
        ("PORT", "70000", "an integer from 1 to 65535"),
        ("REDIS_URL", "http://x", "redis://"),
        ("RETRY_BASE_DELAY", "-1", "a number ≥ 0"),
        ("VERTEX_AI_TIMEOUT", "soon", "seconds"),
        ("VERTEX_AI_API_ENDPOINT", "localhost:8080", "http:// or https:// URL"),
        ("MAX_CONCURRENT_JOBS", "0", "an integer from 1"),
        ("REDIS_KEY_PREFIX", "decomposer", "hash tag"),
        ("GPU_COST_PER_HOUR", "cheap", "USD per hour"),
        ("VERTEX_AI_MAX_REQUEST_BYTES", "1.5MB", "an integer from"),
        ("JOB_DEADLINE_SECONDS", "0", "a number ≥ 1"),
        ("WORKER_PORT", "http", "an integer from 1 to 65535"),
    ])
    func aBadValueNamesItsKeyAndWhatWasExpected(key: String, value: String, expected: String) {
        #expect {
            try DecomposerConfiguration(ConfigurationValues(environment: [key: value]))
        } throws: { error in
            guard let error = error as? ConfigurationError else { return false }
            return error.key == key && error.expected.contains(expected) && error.description.contains(value)
        }
    }

    @Test func retryMaxDelayMayNotBeBelowTheBase() {
        #expect(throws: ConfigurationError.self) {
            try DecomposerConfiguration(ConfigurationValues(environment: ["RETRY_BASE_DELAY": "10", "RETRY_MAX_DELAY": "5"]))
        }
    }

    @Test func parsesAges() {
        #expect(AgeParser.parse("7d") == .seconds(7 * 86_400))
        #expect(AgeParser.parse("12h") == .seconds(12 * 3600))
        #expect(AgeParser.parse("30m") == .seconds(1800))
        #expect(AgeParser.parse("3") == .seconds(3 * 86_400))
        #expect(AgeParser.parse("soon") == nil)
        #expect(AgeParser.parse("-1d") == nil)
    }
}

/// `WEBHOOK_*`.
@Suite struct WebhookSettingsTests {
    @Test func defaultsAreOffWithADayOfRetries() throws {
        let settings = try DecomposerConfiguration(ConfigurationValues(environment: [:])).webhooks
        #expect(!settings.enabled && settings.secret == nil)
        #expect(settings.giveUpAfter == .seconds(86_400) && settings.timeout == .seconds(15))
        #expect(!settings.allowHTTP && settings.allowedHosts.isEmpty)
    }

    @Test func valuesAreRead() throws {
        let settings = try DecomposerConfiguration(ConfigurationValues(environment: [
            "WEBHOOK_SECRET": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "WEBHOOK_RETRY_HOURS": "0.5",
            "WEBHOOK_ALLOW_HTTP": "true", "WEBHOOK_ALLOWED_HOSTS": " 127.0.0.1, Hooks.Example.com ,",
            "WEBHOOK_TIMEOUT_SECONDS": "3",
        ])).webhooks
        #expect(settings.enabled && settings.giveUpAfter == .seconds(1800) && settings.timeout == .seconds(3))
        #expect(settings.allowHTTP && settings.allowedHosts == ["127.0.0.1", "hooks.example.com"])
    }

    @Test(arguments: [
        ("WEBHOOK_SECRET", "whsec_***"), ("WEBHOOK_RETRY_HOURS", "0"), ("WEBHOOK_ALLOW_HTTP", "maybe"),
        ("WEBHOOK_TIMEOUT_SECONDS", "0"),
    ])
    func badValuesNameTheKey(key: String, value: String) {
        do {
            _ = try DecomposerConfiguration(ConfigurationValues(environment: [key: value]))
            Issue.record("\(key)=\(value) was accepted")
        } catch {
            #expect(error.key == key)
            #expect(!error.description.contains("***") || key != "WEBHOOK_SECRET", "the secret is never echoed")
        }
    }
}
