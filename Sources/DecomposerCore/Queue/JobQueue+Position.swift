import Foundation
import Redis
import SystemSupport

extension JobQueue {
    /// The places of the given queued jobs in one pipeline: per job a `ZRANK` in `order` and a
    /// `ZSCORE` in `delayed` (O(log N) each), plus the budget hold, the operator's pause, the average call duration and the
    /// fleet's live slot advertisements, read once. Never a scan of the wait list.
    public func places(of ids: [UUID]) async throws(QueueError) -> [UUID: QueuePlace] {
        guard !ids.isEmpty else { return [:] }
        let now = try await self.now().millisecondsSince1970
        var commands: [[String]] = [
            ["EXISTS", keys.hold], ["HGET", keys.stats, "call_ms_average"],
            ["ZRANGEBYSCORE", keys.workerSlots, "(\(now)", "+inf"], ["EXISTS", keys.operatorPause],
        ]
        for id in ids {
            commands.append(["ZRANK", keys.order, id.lowercasedString])
            commands.append(["ZSCORE", keys.delayed, id.lowercasedString])
        }
        let replies: [RedisReply]
        do {
            replies = try await redis.pipeline(commands)
        } catch {
            throw .redis(error)
        }
        let held = (replies[0].int ?? 0) > 0
        let paused = (replies[3].int ?? 0) > 0
        let average = replies[1].string.flatMap { Int64($0) }
        let slots = (replies[2].array ?? []).compactMap { $0.string?.split(separator: "/").first.flatMap { Int($0) } }
            .reduce(0, +)
        var places: [UUID: QueuePlace] = [:]
        for (index, id) in ids.enumerated() {
            let rank = replies[4 + 2 * index].int
            let delayed = replies[5 + 2 * index] != .null
            if delayed {
                places[id] = .retryBackoff
            } else if let rank {
                places[id] = held
                    ? .budgetHold
                    : paused
                    ? .operatorPause
                    : .waiting(
                        position: Int(rank) + 1,
                        etaSeconds: QueuePlace.eta(position: Int(rank) + 1, slots: slots, averageCallMilliseconds: average))
            } else {
                places[id] = .notWaiting
            }
        }
        return places
    }

    /// Advertises this worker's call slots until `timeToLive` from now (renewed every lease/3 by
    /// `WorkerService`), or withdraws them; returns how many workers advertise.
    @discardableResult
    public func advertiseSlots(worker: UUID, slots: Int, timeToLive: Duration, withdraw: Bool = false)
        async throws(QueueError) -> Int
    {
        let reply = try await run(
            QueueScripts.advertiseSlots, keys: [keys.workerSlots],
            ["\(slots)/\(worker.lowercasedString)", String(timeToLive.milliseconds), withdraw ? "1" : "0"])
        return Int(try reply.integer(0))
    }
}
