import Redis

/// The queue's Lua scripts, one file per transition in `Queue/Lua/` with a header naming its
/// KEYS, ARGV and replies (BullMQ's layout). Embedded in the binary (SwiftPM's `embedInCode`),
/// so the one executable stays self-contained, in a container too. `library-core.lua` and
/// `library.lua` are put in front of each (only the core in front of `enqueue`). The client loads
/// each once per process and again only when Redis answers NOSCRIPT.
enum QueueScripts {
    static let enqueue = script("enqueue", PackageResources.enqueue_lua, library: core)
    static let claim = script("claim", PackageResources.claim_lua)
    static let sweep = script("sweep", PackageResources.sweep_lua)
    static let renew = script("renew", PackageResources.renew_lua)
    static let progress = script("progress", PackageResources.progress_lua)
    static let release = script("release", PackageResources.release_lua)
    static let complete = script("complete", PackageResources.complete_lua)
    static let fail = script("fail", PackageResources.fail_lua)
    static let retry = script("retry", PackageResources.retry_lua)
    static let postpone = script("postpone", PackageResources.postpone_lua)
    static let cancel = script("cancel", PackageResources.cancel_lua)
    static let recordAttempt = script("record-attempt", PackageResources.record_attempt_lua)
    static let pauseFleet = script("pause-fleet", PackageResources.pause_fleet_lua)
    static let claimCostAlert = script("claim-cost-alert", PackageResources.claim_cost_alert_lua)
    static let finishCostAlert = script("finish-cost-alert", PackageResources.finish_cost_alert_lua)
    static let retryCostAlert = script("retry-cost-alert", PackageResources.retry_cost_alert_lua)
    static let advertiseSlots = script("advertise-slots", PackageResources.advertise_slots_lua)
    static let lookUpResult = script("look-up-result", PackageResources.look_up_result_lua)
    static let completeCached = script("complete-cached", PackageResources.complete_cached_lua)
    static let repairOrder = script("repair-order", PackageResources.repair_order_lua)
    static let pauseQueue = script("pause-queue", PackageResources.pause_queue_lua)
    static let resumeQueue = script("resume-queue", PackageResources.resume_queue_lua)
    static let retryFailed = script("retry-failed", PackageResources.retry_failed_lua)
    static let purgeDead = script("purge-dead", PackageResources.purge_dead_lua)
    static let claimWebhook = script("claim-webhook", PackageResources.claim_webhook_lua)
    static let finishWebhook = script("finish-webhook", PackageResources.finish_webhook_lua)
    static let retryWebhook = script("retry-webhook", PackageResources.retry_webhook_lua)

    static let all: [RedisScript] = [
        enqueue, claim, sweep, renew, progress, release, complete, fail, retry, postpone, cancel, recordAttempt, pauseFleet,
        claimCostAlert, finishCostAlert, retryCostAlert, advertiseSlots, lookUpResult, completeCached,
        repairOrder, pauseQueue, resumeQueue, retryFailed, purgeDead, claimWebhook, finishWebhook, retryWebhook,
    ]

    /// `library-core.lua`: the calling convention's keys, the clock, `pushBack`, `publish`, `wake`.
    private static let core = String(decoding: PackageResources.library_core_lua, as: UTF8.self)
    /// Both parts of the shared Lua, what every script but `enqueue` is given.
    private static let library = core + "\n" + String(decoding: PackageResources.library_lua, as: UTF8.self)

    /// Redis runs the whole source on every call, so `enqueue`, the busiest script, carries only the
    /// core part of the library; every other script both.
    private static func script(_ name: String, _ body: [UInt8], library: String = library) -> RedisScript {
        RedisScript(name: name, source: library + "\n" + String(decoding: body, as: UTF8.self))
    }
}
