/// A cost alert as the outbox holds it: decided by the cost record that first crossed its
/// threshold (`record-attempt`), delivered by a `CostAlerts` deliverer. Amounts are micro-dollars.
public struct CostAlert: Sendable, Equatable {
    /// One of the day's costliest jobs when the alert was decided.
    public struct JobCost: Sendable, Equatable {
        public var jobID: String
        public var microdollars: Int64

        public init(jobID: String, microdollars: Int64) {
            self.jobID = jobID
            self.microdollars = microdollars
        }
    }

    /// `YYYY-MM-DD/<threshold>`: one alert per threshold per day.
    public var id: String
    /// The UTC day (`YYYY-MM-DD`).
    public var day: String
    /// The fraction of the budget crossed, as configured (`0.8`).
    public var threshold: String
    public var spentMicrodollars: Int64
    public var budgetMicrodollars: Int64
    /// At most five, costliest first.
    public var topJobs: [JobCost]
    /// When it was decided (ms, Redis's clock).
    public var createdMilliseconds: Int64
    /// Deliveries begun so far, this one included.
    public var attempts: Int
    /// The claim that holds it now (nil when none does).
    public var claimToken: String?

    public init(
        id: String, day: String, threshold: String, spentMicrodollars: Int64, budgetMicrodollars: Int64,
        topJobs: [JobCost], createdMilliseconds: Int64 = 0, attempts: Int = 0, claimToken: String? = nil
    ) {
        self.id = id
        self.day = day
        self.threshold = threshold
        self.spentMicrodollars = spentMicrodollars
        self.budgetMicrodollars = budgetMicrodollars
        self.topJobs = topJobs
        self.createdMilliseconds = createdMilliseconds
        self.attempts = attempts
        self.claimToken = claimToken
    }

    /// The outbox's JSON (written by the scripts); nil when it is not an alert.
    init?(id: String, json: String) {
        guard case .object(let fields)? = try? JSONParser.parse(json),
            case .string(let day)? = fields["day"], case .string(let threshold)? = fields["threshold"],
            let spent = Self.integer(fields["spent_micros"]), let budget = Self.integer(fields["budget_micros"]),
            let created = Self.integer(fields["created_ms"])
        else { return nil }
        var topJobs: [JobCost] = []
        // Lua's cjson writes an empty list as `{}`.
        if case .array(let entries)? = fields["top_jobs"] {
            for case .object(let entry) in entries {
                guard case .string(let jobID)? = entry["job_id"], let micros = Self.integer(entry["micros"]) else {
                    return nil
                }
                topJobs.append(JobCost(jobID: jobID, microdollars: micros))
            }
        }
        var token: String?
        if case .string(let text)? = fields["token"] { token = text }
        self.init(
            id: id, day: day, threshold: threshold, spentMicrodollars: spent, budgetMicrodollars: budget, topJobs: topJobs,
            createdMilliseconds: created, attempts: Int(Self.integer(fields["attempts"]) ?? 0), claimToken: token)
    }

    private static func integer(_ value: JSONValue?) -> Int64? {
        guard case .number(let number)? = value, number.isFinite, abs(number) < 9e15 else { return nil }
        return Int64(number)
    }
}
