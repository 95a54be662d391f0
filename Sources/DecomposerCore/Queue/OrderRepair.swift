/// What `JobQueue.repairOrder()` found: the `order` mirror agreed with the wait list, or it was
/// rebuilt from it (jobs queued by a release without the mirror, or by one still running beside).
public enum OrderRepair: Sendable, Equatable {
    case consistent
    case rebuilt(mirroredBefore: Int, waiting: Int)
}
