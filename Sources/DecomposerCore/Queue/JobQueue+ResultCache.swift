import Foundation
import Redis
import SystemSupport

/// A completed result stored as the cache entry for a request digest.
public struct ResultCacheRecord: Sendable, Equatable {
    public var digest: String
    /// `CACHE_TTL_DAYS`.
    public var timeToLive: Duration
    /// What the call that produced it cost; the entry keeps the average over its digest's calls.
    public var callMicrodollars: Int64
    /// The `deployedModelId` the endpoint's reply carried (kept on the entry, not in the digest).
    public var deployedModelID: String?

    public init(digest: String, timeToLive: Duration, callMicrodollars: Int64, deployedModelID: String?) {
        self.digest = digest
        self.timeToLive = timeToLive
        self.callMicrodollars = callMicrodollars
        self.deployedModelID = deployedModelID
    }
}

/// A cache entry found for a digest: the completed job whose layers answer it.
public struct CachedResult: Sendable, Equatable {
    public var sourceJobID: UUID
    /// The attempt folder holding the source's layers (nil: an earlier release's flat folder).
    public var sourceAttempt: Int?
    public var layers: [LayerResult]
    /// The average cost of the digest's calls: what this hit avoids.
    public var callMicrodollars: Int64

    public init(sourceJobID: UUID, sourceAttempt: Int?, layers: [LayerResult], callMicrodollars: Int64) {
        self.sourceJobID = sourceJobID
        self.sourceAttempt = sourceAttempt
        self.layers = layers
        self.callMicrodollars = callMicrodollars
    }
}

/// What a job about to call the endpoint finds for its digest (`look-up-result.lua`).
public enum ResultCacheLookup: Sendable, Equatable {
    /// A completed result: copy its layers, no call.
    case hit(CachedResult)
    /// Job `claimant` is calling the endpoint for the same digest now: wait and ask again.
    case running(claimant: UUID)
    /// This job holds the digest's flight: call, and `complete` with caching ends it.
    case yours
}

extension JobQueue {
    /// How long a digest's in-flight claim may live at most; whether it holds is decided by its
    /// claimant's status (`processing`), never by this.
    static let inFlightClaimLifetime = Duration.seconds(86_400)

    /// Looks `digest` up for the job `lease` holds; `staleSource`: a job whose cached layers were
    /// found gone, whose entry is dropped (this job's call then repairs it).
    public func lookUpResult(_ lease: JobLease, digest: String, staleSource: UUID? = nil) async throws(QueueError)
        -> ResultCacheLookup
    {
        let reply = try await run(
            QueueScripts.lookUpResult,
            keys: jobKeys(lease) + [keys.resultCache(digest), keys.resultInFlight(digest)],
            [
                lease.job.id.lowercasedString, lease.token, staleSource?.lowercasedString ?? "",
                String(Self.inFlightClaimLifetime.milliseconds),
            ])
        switch reply.tag {
        case "hit":
            guard let source = UUID(spelling: try reply.string(0)),
                let layers = try? JSONDecoder().decode([LayerResult].self, from: Data(try reply.string(2).utf8))
            else { throw reply.unexpected() }
            return .hit(CachedResult(
                sourceJobID: source, sourceAttempt: try reply.optionalInteger(1).map { Int($0) }, layers: layers,
                callMicrodollars: try reply.integer(3)))
        case "running":
            guard let claimant = UUID(spelling: try reply.string(0)) else { throw reply.unexpected() }
            return .running(claimant: claimant)
        case "yours":
            return .yours
        default:
            throw Self.refusal(reply, lease)
        }
    }

    /// Ends the job with layers copied from `cached` into `attempt`'s folder, and counts the hit
    /// and the cost it avoided on the UTC day `day`'s cost hash (kept `costRetention`), in one step.
    public func completeFromCache(
        _ lease: JobLease, layers: [LayerResult], attempt: Int, cached: CachedResult, day: String, costRetention: Duration
    ) async throws(QueueError) {
        try await fenced(
            QueueScripts.completeCached, lease,
            [
                Self.json(layers), String(attempt), cached.sourceJobID.lowercasedString,
                String(cached.callMicrodollars), String(costRetention.components.seconds),
            ],
            keys: jobKeys(lease) + [keys.costDay(day)])
    }
}
