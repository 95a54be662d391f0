import Foundation
import Redis
import SystemSupport

extension JobQueue {
    /// The newest jobs of one kind (nil: of every kind), at most `limit`: `decomposer jobs list` and the
    /// admin API. Bounded work whatever the queue's size: one pipeline reads the newest `limit` ids of
    /// each index the filter needs (never a scan of keys), a second reads a few fields of those jobs
    /// only (`JobSummary`). Finished jobs come from their indexes (`completed`, `cancelled`, `dead`
    /// for failed ones) newest finish first; queued ones from `order` and `delayed`, processing ones
    /// from `active`, newest created first; across kinds, by the later of the two. Ids whose job
    /// expired are skipped, and dropped from the finished-job indexes on the way.
    public func listJobs(_ filter: JobListFilter?, limit: Int) async throws(QueueError) -> [JobSummary] {
        guard limit > 0 else { return [] }
        let sources = filter.map(indexes(for:)) ?? allIndexes
        do {
            let ranges = try await redis.pipeline(sources.map { ["ZREVRANGE", $0.key, "0", String(limit - 1)] })
            var seen = Set<UUID>()
            var candidates: [(id: UUID, source: ListingIndex)] = []
            for (source, range) in zip(sources, ranges) {
                for id in (range.array ?? []).compactMap({ $0.string.flatMap(UUID.init(spelling:)) }) where seen.insert(id).inserted {
                    candidates.append((id, source))
                }
            }
            guard !candidates.isEmpty else { return [] }
            let replies = try await redis.pipeline(candidates.map { ["HMGET", keys.job($0.id)] + JobSummary.fields })
            var summaries: [JobSummary] = []
            var expired: [(key: String, id: UUID)] = []
            for (candidate, reply) in zip(candidates, replies) {
                let values = (reply.array ?? []).map(\.string)
                guard let summary = JobSummary(id: candidate.id, values: values, inDeadLetters: candidate.source.isDead) else {
                    if candidate.source.isFinished && values.allSatisfy({ $0 == nil }) { expired.append((candidate.source.key, candidate.id)) }
                    continue
                }
                // A mirror that lags its job (an id in `order` whose job was cancelled meanwhile) is not listed under it.
                guard summary.status == candidate.source.status else { continue }
                summaries.append(summary)
            }
            if !expired.isEmpty {
                // A job id is never reused, so an entry whose job expired can only be dropped.
                _ = try await redis.pipeline(expired.map { ["ZREM", $0.key, $0.id.lowercasedString] })
            }
            let ranked = summaries.enumerated().sorted {
                let (left, right) = (Self.listingTime($0.element), Self.listingTime($1.element))
                return left != right ? left > right : $0.offset < $1.offset
            }
            return ranked.prefix(limit).map(\.element)
        } catch {
            throw .redis(error)
        }
    }

    /// Finished jobs sort by when they finished, others by when they were created.
    private static func listingTime(_ summary: JobSummary) -> Date {
        summary.status.isFinished ? summary.updatedAt : summary.createdAt
    }

    private func indexes(for filter: JobListFilter) -> [ListingIndex] {
        switch filter {
        case .queued: return [ListingIndex(key: keys.order, status: .queued), ListingIndex(key: keys.delayed, status: .queued)]
        case .processing: return [ListingIndex(key: keys.active, status: .processing)]
        case .completed: return [ListingIndex(key: keys.completed, status: .completed, isFinished: true)]
        case .cancelled: return [ListingIndex(key: keys.cancelled, status: .cancelled, isFinished: true)]
        case .failed, .dead: return [ListingIndex(key: keys.dead, status: .failed, isFinished: true, isDead: true)]
        }
    }

    private var allIndexes: [ListingIndex] {
        [JobListFilter.queued, .processing, .completed, .cancelled, .dead].flatMap(indexes(for:))
    }
}

/// A sorted set `listJobs` reads job ids from, and the status its jobs have.
private struct ListingIndex {
    let key: String
    let status: JobStatus
    var isFinished = false
    var isDead = false
}
