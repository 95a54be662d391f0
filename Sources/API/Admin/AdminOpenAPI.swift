/// The admin routes' part of the OpenAPI document (`OpenAPIDocument` splices it in): always
/// documented, served only when `ADMIN_API_KEY` is set (404 otherwise, like any unknown path).
/// Every body field is optional, and `null` reads as absent (as in the API's bodies).
enum AdminOpenAPI {
    /// Entries of `paths:` (indented two spaces).
    static let paths = #"""
  /admin:
    get:
      operationId: adminPage
      summary: The operator's page (HTML, CSS and JavaScript; asks for ADMIN_API_KEY)
      description: Served only when ADMIN_API_KEY is set; otherwise 404 like any unknown path.
      security: [{}]
      responses:
        "200":
          description: The page
          content:
            text/html:
              schema: { type: string }
        "404": { $ref: "#/components/responses/NotFound" }
  /admin/api/queue:
    get:
      operationId: adminQueueStatus
      summary: The operator's pause, the budget hold, jobs by state, lifetime counters, today's cost
      description: \#(adminOnly)
      security: [{ adminBearer: [] }]
      responses:
        "200": { $ref: "#/components/responses/AdminObject" }
        "401": { $ref: "#/components/responses/AdminUnauthorized" }
        "404": { $ref: "#/components/responses/NotFound" }
        "503": { $ref: "#/components/responses/Unavailable" }
  /admin/api/queue/pause:
    post:
      operationId: adminPauseQueue
      summary: Stop every worker claiming (running jobs finish); queued jobs show the message
      description: \#(adminOnly)
      security: [{ adminBearer: [] }]
      requestBody:
        required: false
        content:
          application/json:
            schema:
              type: object
              properties:
                message: { type: [string, "null"], minLength: 1, maxLength: 500, pattern: "\\S", default: Paused by an operator }
      responses:
        "200": { $ref: "#/components/responses/AdminObject" }
        "400": { $ref: "#/components/responses/InvalidJSON" }
        "401": { $ref: "#/components/responses/AdminUnauthorized" }
        "404": { $ref: "#/components/responses/NotFound" }
        "422": { $ref: "#/components/responses/InvalidField" }
        "503": { $ref: "#/components/responses/Unavailable" }
  /admin/api/queue/resume:
    post:
      operationId: adminResumeQueue
      summary: Lift the operator's pause (never a budget hold) and wake idle workers
      description: \#(adminOnly)
      security: [{ adminBearer: [] }]
      responses:
        "200": { $ref: "#/components/responses/AdminObject" }
        "401": { $ref: "#/components/responses/AdminUnauthorized" }
        "404": { $ref: "#/components/responses/NotFound" }
        "503": { $ref: "#/components/responses/Unavailable" }
  /admin/api/costs/today:
    get:
      operationId: adminCostToday
      summary: Today's attributed GPU cost against DAILY_BUDGET_USD (null without one)
      description: \#(adminOnly)
      security: [{ adminBearer: [] }]
      responses:
        "200": { $ref: "#/components/responses/AdminObject" }
        "401": { $ref: "#/components/responses/AdminUnauthorized" }
        "404": { $ref: "#/components/responses/NotFound" }
        "503": { $ref: "#/components/responses/Unavailable" }
  /admin/api/events:
    get:
      operationId: adminEvents
      summary: Server-sent events for the admin page
      description: |
        `status` (as GET /admin/api/queue) on connecting and after jobs changed, at most once a second;
        `job` (the job JSON) for each job change; while nothing changes, `status` every 15 s. \#(adminOnly)
      security: [{ adminBearer: [] }]
      responses:
        "200":
          description: The event stream (never ends while the server runs)
          content:
            text/event-stream:
              schema: { type: string }
        "401": { $ref: "#/components/responses/AdminUnauthorized" }
        "404": { $ref: "#/components/responses/NotFound" }
  /admin/api/jobs:
    get:
      operationId: adminListJobs
      summary: The newest jobs of one status (or of every status), newest first
      description: |
        Finished jobs by when they finished, others by when they were created; `failed` and `dead` both
        list the dead letters (failed jobs stay there until retried or purged). \#(adminOnly)
      security: [{ adminBearer: [] }]
      parameters:
        - name: status
          in: query
          required: false
          schema: { type: string, enum: [queued, processing, completed, failed, cancelled, dead] }
        - name: limit
          in: query
          required: false
          schema: { type: integer, minimum: 1, maximum: 200, default: 20 }
      responses:
        "200": { $ref: "#/components/responses/AdminObject" }
        "401": { $ref: "#/components/responses/AdminUnauthorized" }
        "404": { $ref: "#/components/responses/NotFound" }
        "422": { $ref: "#/components/responses/InvalidField" }
        "503": { $ref: "#/components/responses/Unavailable" }
  /admin/api/jobs/{job_id}/retry:
    parameters:
      - { $ref: "#/components/parameters/JobID" }
    post:
      operationId: adminRetryJob
      summary: A failed job back to queued with a fresh allowance of MAX_RETRIES retries (its attempts keep counting)
      description: |
        Refused (409) unless the job failed, and (409 upload_missing) when its upload no longer exists.
        The reason is kept in its history. \#(adminOnly)
      security: [{ adminBearer: [] }]
      requestBody:
        required: false
        content:
          application/json:
            schema:
              type: object
              properties:
                reason: { type: [string, "null"], minLength: 1, maxLength: 500, pattern: "\\S", description: "Not only spaces" }
      responses:
        "200": { $ref: "#/components/responses/AdminObject" }
        "400": { $ref: "#/components/responses/InvalidJobID" }
        "401": { $ref: "#/components/responses/AdminUnauthorized" }
        "404": { $ref: "#/components/responses/NotFound" }
        "409": { $ref: "#/components/responses/Conflict" }
        "422": { $ref: "#/components/responses/InvalidField" }
        "503": { $ref: "#/components/responses/Unavailable" }
  /admin/api/dead/retry:
    post:
      operationId: adminRetryDead
      summary: Retry every dead letter that failed within `since` (any time if absent) with `error_code` (any if absent)
      description: Answers how many were queued again and how many refused (upload gone), with each one's result. \#(adminOnly)
      security: [{ adminBearer: [] }]
      requestBody:
        required: false
        content:
          application/json:
            schema:
              type: object
              properties:
                since: { type: [string, "null"], pattern: "^[0-9]{1,6}[smhdw]?$", description: "A duration: 30m, 12h, 7d (a bare number is days)" }
                error_code: { type: [string, "null"] }
                reason: { type: [string, "null"], minLength: 1, maxLength: 500, pattern: "\\S", description: "Not only spaces" }
      responses:
        "200": { $ref: "#/components/responses/AdminObject" }
        "400": { $ref: "#/components/responses/InvalidJSON" }
        "401": { $ref: "#/components/responses/AdminUnauthorized" }
        "404": { $ref: "#/components/responses/NotFound" }
        "422": { $ref: "#/components/responses/InvalidField" }
        "503": { $ref: "#/components/responses/Unavailable" }
  /admin/api/dead/purge:
    post:
      operationId: adminPurgeDead
      summary: Delete the dead letters that failed more than `older_than` ago (every one if absent)
      description: \#(adminOnly)
      security: [{ adminBearer: [] }]
      requestBody:
        required: false
        content:
          application/json:
            schema:
              type: object
              properties:
                older_than: { type: [string, "null"], pattern: "^[0-9]{1,6}[smhdw]?$", description: "A duration: 30m, 12h, 7d (a bare number is days)" }
      responses:
        "200": { $ref: "#/components/responses/AdminObject" }
        "400": { $ref: "#/components/responses/InvalidJSON" }
        "401": { $ref: "#/components/responses/AdminUnauthorized" }
        "404": { $ref: "#/components/responses/NotFound" }
        "422": { $ref: "#/components/responses/InvalidField" }
        "503": { $ref: "#/components/responses/Unavailable" }
  /admin/api/jobs/{job_id}:
    parameters:
      - { $ref: "#/components/parameters/JobID" }
    get:
      operationId: adminShowJob
      summary: Every stored field of a job, the job as GET /api/jobs/{job_id} sends it, its event history and its webhook deliveries (null without a webhook)
      description: \#(adminOnly)
      security: [{ adminBearer: [] }]
      responses:
        "200": { $ref: "#/components/responses/AdminObject" }
        "400": { $ref: "#/components/responses/InvalidJobID" }
        "401": { $ref: "#/components/responses/AdminUnauthorized" }
        "404": { $ref: "#/components/responses/NotFound" }
        "503": { $ref: "#/components/responses/Unavailable" }
  /admin/api/jobs/{job_id}/cancel:
    parameters:
      - { $ref: "#/components/parameters/JobID" }
    post:
      operationId: adminCancelJob
      summary: Cancel a queued or running job
      description: \#(adminOnly)
      security: [{ adminBearer: [] }]
      responses:
        "200": { $ref: "#/components/responses/AdminObject" }
        "400": { $ref: "#/components/responses/InvalidJobID" }
        "401": { $ref: "#/components/responses/AdminUnauthorized" }
        "404": { $ref: "#/components/responses/NotFound" }
        "409": { $ref: "#/components/responses/Conflict" }
        "503": { $ref: "#/components/responses/Unavailable" }

"""#

    /// Entries of `components.responses:` (indented four spaces).
    static let responses = #"""
    AdminObject:
      description: A JSON object, in the shape `decomposer jobs|queue … --format json` prints
      content: { application/json: { schema: { type: object } } }
    AdminUnauthorized:
      description: unauthorized (missing or wrong ADMIN_API_KEY; API_KEY does not open the admin API)
      content: { application/json: { schema: { $ref: "#/components/schemas/Error" } } }
    InvalidJobID:
      description: invalid_job_id (the id is not a UUID)
      content: { application/json: { schema: { $ref: "#/components/schemas/Error" } } }
"""#

    /// Entries of `components.securitySchemes:` (indented four spaces).
    static let securitySchemes = #"""
    adminBearer:
      type: http
      scheme: bearer
      description: ADMIN_API_KEY (the admin routes exist only when it is set)

"""#

    static let adminOnly = "Needs ADMIN_API_KEY as a bearer token; 404 (like any unknown path) unless ADMIN_API_KEY is set."
}
