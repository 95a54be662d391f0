import CostTracker
import DecomposerCore
import Hummingbird
import Storage

/// Everything under `/admin`: the page and the admin API. Registered only when `ADMIN_API_KEY`
/// is set — otherwise none of it exists and every `/admin…` path is the router's plain 404.
struct AdminRoutes {
    let queue: JobQueue
    let costs: CostTracker
    let storage: any StorageBackend
    let hub: JobWatchHub

    func register(on router: Router<APIRequestContext>) {
        AdminQueueRoutes(queue: queue, costs: costs).register(on: router)
        AdminJobRoutes(queue: queue).register(on: router)
        AdminRetryRoutes(queue: queue, storage: storage).register(on: router)
        AdminEventStream(hub: hub, status: AdminQueueStatus(queue: queue, costs: costs)).register(on: router)
        AdminPage.register(on: router)
    }
}
