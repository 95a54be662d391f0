import ArgumentParser
import CostTracker
import DecomposerCore
import Foundation
import Logging
import Redis

/// What every subcommand starts from: validated configuration, logging, Redis.
struct ServiceEnvironment {
    let values: ConfigurationValues
    let configuration: DecomposerConfiguration
    let logger: Logger
    let redis: RedisClient
    let queue: JobQueue
    /// The GPU rate costs are attributed at (`GPU_COST_PER_HOUR` or `GPU_TYPE`).
    let gpuRate: GPURate

    /// Loads configuration; a bad value ends the process with exit code 2 and
    /// a message naming the key.
    static func load(label: String) throws -> ServiceEnvironment {
        let values: ConfigurationValues
        let configuration: DecomposerConfiguration
        let gpuRate: GPURate
        do {
            values = try ConfigurationValues.fromProcess()
            configuration = try DecomposerConfiguration(values)
            gpuRate = try GPURate.configured(usdPerHour: configuration.gpuCostPerHour, gpuType: configuration.gpuType)
        } catch let error as ConfigurationError {
            FileHandle.standardError.write(Data("decomposer: configuration error: \(error)\n".utf8))
            throw ExitCode(2)
        }
        LoggingBootstrap.bootstrapOnce()
        let logger = Logger(label: label)
        let redis = RedisClient(configuration: configuration.redis, logger: Logger(label: "redis"))
        let queue = JobQueue(redis: redis, keys: configuration.keys, policy: configuration.queue)
        return ServiceEnvironment(
            values: values, configuration: configuration, logger: logger, redis: redis, queue: queue, gpuRate: gpuRate)
    }

    /// Fails with exit code 1 and one line when Redis cannot be reached.
    func requireRedis() async throws {
        do {
            try await redis.send("PING")
        } catch {
            FileHandle.standardError.write(
                Data("decomposer: cannot reach Redis at \(configuration.redis.redactedDescription): \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}

/// swift-log may be bootstrapped once per process.
enum LoggingBootstrap {
    private static let once: Void = {
        let level = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StandardErrorLogHandler(label: label)
            handler.logLevel = level
            return handler
        }
    }()

    static func bootstrapOnce() { _ = once }
}
