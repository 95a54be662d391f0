/// Which jobs `JobQueue.listJobs` lists (`decomposer jobs list --status`, the admin API): a status,
/// or `dead`, the jobs in the dead-letter set (failed for good by a final error, exhausted retries or
/// too many recoveries, and not yet purged or trimmed by `DEAD_LETTER_LIMIT`).
public enum JobListFilter: String, CaseIterable, Sendable {
    case queued, processing, completed, failed, cancelled, dead
}
