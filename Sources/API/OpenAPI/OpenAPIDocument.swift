/// The OpenAPI 3.1 description of the HTTP + WebSocket contract, served at
/// `/openapi.yaml`. `OpenAPIDocumentTests` checks it against the router and
/// `scripts/schemathesis.sh` against the running server. Limits that come from
/// the configuration are stated with this process's values.
enum OpenAPIDocument {
    static func yaml(costRetentionDays: Int) -> String {
        #"""
openapi: 3.1.0
info:
  title: Poster layer decomposition API
  version: 1.0.0
  description: |
    Upload a poster (PNG or JPEG), queue its decomposition into transparent RGBA layers,
    follow progress (polling or WebSocket), download the layer PNGs, read GPU cost figures.
    Every error is JSON: {"error":{"code":"<snake_case>","message":"<for a person>"}}.
    When API_KEY is set, /api/* and /ws/* need "Authorization: Bearer <key>"
    (the WebSocket also accepts ?token=<key>).
    The admin page and API (/admin, /admin/api/*) exist only when ADMIN_API_KEY is set: without it
    they answer 404 like any unknown path; with it /admin/api/* needs "Authorization: Bearer <ADMIN_API_KEY>".
servers:
  - url: http://127.0.0.1:8000
security:
  - {}
  - bearer: []
paths:
  /api/upload:
    post:
      operationId: upload
      summary: Upload a poster
      description: |
        Streams the `file` part to storage. PNG or JPEG recognised by content (magic bytes and a
        header that decodes), not by file name or declared type.
      requestBody:
        required: true
        content:
          multipart/form-data:
            schema:
              type: object
              required: [file]
              properties:
                file:
                  description: The poster, a PNG or JPEG (any file name; the type comes from the content)
                  type: string
                  contentMediaType: application/octet-stream
                  minLength: 1
      responses:
        "201":
          description: Stored
          content:
            application/json:
              schema: { $ref: "#/components/schemas/UploadedFile" }
        "400": { $ref: "#/components/responses/BadUpload" }
        "401": { $ref: "#/components/responses/Unauthorized" }
        "413": { $ref: "#/components/responses/TooLarge" }
        "415": { $ref: "#/components/responses/UnsupportedMediaType" }
        "422": { $ref: "#/components/responses/InvalidField" }
        "503": { $ref: "#/components/responses/Unavailable" }
  /api/decompose:
    post:
      operationId: decompose
      summary: Queue a decomposition job
      parameters:
        - name: Idempotency-Key
          in: header
          required: false
          description: A repeat with the same key answers 200 with the same job_id and creates nothing.
          schema: { type: string, minLength: 1, maxLength: 255 }
      requestBody:
        required: true
        content:
          application/json:
            schema: { $ref: "#/components/schemas/DecomposeRequest" }
      responses:
        "202":
          description: Queued
          content:
            application/json:
              schema: { $ref: "#/components/schemas/EnqueuedJob" }
        "200":
          description: Seen before with this Idempotency-Key; nothing created
          content:
            application/json:
              schema: { $ref: "#/components/schemas/EnqueuedJob" }
        "400": { $ref: "#/components/responses/InvalidJSON" }
        "401": { $ref: "#/components/responses/Unauthorized" }
        "404": { $ref: "#/components/responses/NotFound" }
        "409": { $ref: "#/components/responses/Conflict" }
        "413": { $ref: "#/components/responses/TooLarge" }
        "415": { $ref: "#/components/responses/UnsupportedMediaType" }
        "422": { $ref: "#/components/responses/InvalidField" }
        "429": { $ref: "#/components/responses/QueueFull" }
        "503": { $ref: "#/components/responses/Unavailable" }
  /api/jobs/{job_id}:
    parameters:
      - { $ref: "#/components/parameters/JobID" }
    get:
      operationId: getJob
      summary: A job's status
      responses:
        "200":
          description: The job
          content:
            application/json:
              schema: { $ref: "#/components/schemas/Job" }
        "401": { $ref: "#/components/responses/Unauthorized" }
        "404": { $ref: "#/components/responses/NotFound" }
        "503": { $ref: "#/components/responses/Unavailable" }
    delete:
      operationId: cancelJob
      summary: Cancel a queued or running job
      description: A queued job is never sent to the endpoint; a running one has its request aborted.
      responses:
        "202":
          description: Cancelled
          content:
            application/json:
              schema: { $ref: "#/components/schemas/Job" }
        "401": { $ref: "#/components/responses/Unauthorized" }
        "404": { $ref: "#/components/responses/NotFound" }
        "409": { $ref: "#/components/responses/Conflict" }
        "503": { $ref: "#/components/responses/Unavailable" }
  /api/jobs/{job_id}/export:
    parameters:
      - { $ref: "#/components/parameters/JobID" }
    get:
      operationId: exportJob
      summary: A completed job's layers as one layered file (PSD, PPTX or ZIP)
      description: |
        Built on the first request for a job and format, stored beside the layers, then served like a layer
        (strong ETag, immutable Cache-Control, If-None-Match → 304). zip holds layer_0.png … byte for byte and
        manifest.json (job id, layer order, each file's size, width, height and sha256); pptx one slide the
        poster's size with each layer a full-slide picture, layer 0 at the back; psd one Photoshop document
        with a pixel layer per model layer.
      parameters:
        - name: format
          in: query
          required: true
          schema: { type: string, enum: [psd, pptx, zip] }
        - name: If-None-Match
          in: header
          required: false
          schema: { type: string }
      responses:
        "200":
          description: The export, with Content-Disposition attachment; filename="<job_id>.<format>"
          headers:
            ETag: { schema: { type: string } }
            Cache-Control: { schema: { type: string, const: "public, max-age=31536000, immutable" } }
            Content-Disposition: { schema: { type: string } }
          content:
            application/zip:
              schema: { type: string, contentMediaType: application/zip }
            application/vnd.openxmlformats-officedocument.presentationml.presentation:
              schema: { type: string, contentMediaType: application/vnd.openxmlformats-officedocument.presentationml.presentation }
            image/vnd.adobe.photoshop:
              schema: { type: string, contentMediaType: image/vnd.adobe.photoshop }
        "302":
          description: With GCS_SIGNED_URLS=true, a V4 signed URL of the stored export in the bucket
          headers:
            Location: { schema: { type: string } }
        "304":
          description: Not modified (If-None-Match matched the ETag)
        "400":
          description: invalid_format (format missing or not one of psd, pptx, zip)
          content: { application/json: { schema: { $ref: "#/components/schemas/Error" } } }
        "401": { $ref: "#/components/responses/Unauthorized" }
        "404": { $ref: "#/components/responses/NotFound" }
        "409":
          description: conflict (the job is not completed; the message names its status)
          content: { application/json: { schema: { $ref: "#/components/schemas/Error" } } }
        "503": { $ref: "#/components/responses/Unavailable" }
  /ws/status/{job_id}:
    parameters:
      - { $ref: "#/components/parameters/JobID" }
    get:
      operationId: watchJob
      summary: Job progress over a WebSocket
      description: |
        After the upgrade, text messages each hold the Job JSON: first the current snapshot, then every
        change in order with no gap or duplicate (by `version`); the terminal message carries `layers`
        (completed) or `error` (failed); then the server closes with 1000. An unknown or non-UUID job gets
        one message {"error":{"code":"job_not_found","message"}} and close code 4404. The server pings
        every 30 s. On shutdown the server closes with 1001. A watcher that cannot keep up (more than 256
        changes waiting for its socket) is closed with 1013 (try again later): reconnect; the new snapshot
        catches up, so no version is silently skipped.
      parameters:
        - name: token
          in: query
          required: false
          description: The API key, for clients that cannot set headers on an upgrade.
          schema: { type: string }
      responses:
        "101":
          description: Switching to the WebSocket protocol
        "401": { $ref: "#/components/responses/Unauthorized" }
        "404":
          description: job_not_found, for a request that is not an upgrade and whose job_id is not a UUID
          content:
            application/json:
              schema: { $ref: "#/components/schemas/Error" }
        "426":
          description: Not a WebSocket opening handshake (and job_id is a UUID)
          headers:
            Upgrade: { schema: { type: string, const: websocket } }
          content:
            application/json:
              schema: { $ref: "#/components/schemas/Error" }
  /results/{job_id}/{filename}:
    parameters:
      - { $ref: "#/components/parameters/JobID" }
      - name: filename
        in: path
        required: true
        schema: { type: string, pattern: "^layer_[0-9]+\\.png$" }
    get:
      operationId: getLayer
      summary: A layer PNG the job produced
      parameters:
        - name: If-None-Match
          in: header
          required: false
          schema: { type: string }
      responses:
        "200":
          description: The layer
          headers:
            ETag: { schema: { type: string } }
            Cache-Control: { schema: { type: string, const: "public, max-age=31536000, immutable" } }
          content:
            image/png:
              schema: { type: string, contentMediaType: image/png }
        "302":
          description: With GCS_SIGNED_URLS=true, a V4 signed URL of the layer in the bucket (valid GCS_SIGNED_URL_SECONDS)
          headers:
            Location: { schema: { type: string } }
        "304":
          description: Not modified (If-None-Match matched the ETag)
        "404": { $ref: "#/components/responses/NotFound" }
        "503": { $ref: "#/components/responses/Unavailable" }
  /api/costs:
    get:
      operationId: getCosts
      summary: Attributed GPU cost of the last N UTC days, oldest first
      parameters:
        - name: days
          in: query
          required: false
          description: Days including today, at most COST_RETENTION_DAYS (this server keeps \#(costRetentionDays))
          schema: { type: integer, minimum: 1, maximum: \#(costRetentionDays), default: \#(min(7, costRetentionDays)) }
      responses:
        "200":
          description: One entry per day including today; days without use are zeros
          content:
            application/json:
              schema: { $ref: "#/components/schemas/CostReport" }
        "401": { $ref: "#/components/responses/Unauthorized" }
        "422": { $ref: "#/components/responses/InvalidField" }
        "503": { $ref: "#/components/responses/Unavailable" }
  /healthz:
    get:
      operationId: health
      summary: The process is alive
      security: [{}]
      responses:
        "200":
          description: Alive
          content:
            application/json:
              schema: { $ref: "#/components/schemas/Health" }
  /readyz:
    get:
      operationId: ready
      summary: Redis reachable, queue scripts loaded, not shutting down
      security: [{}]
      responses:
        "200":
          description: Ready
          content:
            application/json:
              schema: { $ref: "#/components/schemas/Health" }
        "503":
          description: Not ready, with the reason
          content:
            application/json:
              schema: { $ref: "#/components/schemas/Health" }
  /metrics:
    get:
      operationId: metrics
      summary: Prometheus metrics
      security: [{}]
      responses:
        "200":
          description: Prometheus text exposition format
          content:
            text/plain:
              schema: { type: string }
  /:
    get:
      operationId: webPage
      summary: The upload web page (HTML, CSS and JavaScript; works offline)
      security: [{}]
      responses:
        "200":
          description: The page
          content:
            text/html:
              schema: { type: string }
  /openapi.yaml:
    get:
      operationId: openapi
      summary: This document
      security: [{}]
      responses:
        "200":
          description: OpenAPI 3.1 YAML
          content:
            application/yaml:
              schema: { type: string }
\#(AdminOpenAPI.paths)components:
  securitySchemes:
    bearer:
      type: http
      scheme: bearer
\#(AdminOpenAPI.securitySchemes)  parameters:
    JobID:
      name: job_id
      in: path
      required: true
      schema: { type: string, format: uuid }
  schemas:
    Error:
      type: object
      required: [error]
      properties:
        error:
          type: object
          required: [code, message]
          properties:
            code: { type: string, pattern: "^[a-z_]+$" }
            message: { type: string }
    UploadedFile:
      type: object
      required: [file_id, filename, content_type, size_bytes, width, height]
      properties:
        file_id: { type: string, format: uuid }
        filename: { type: string }
        content_type: { type: string, enum: [image/png, image/jpeg] }
        size_bytes: { type: integer }
        width: { type: integer }
        height: { type: integer }
    DecomposeRequest:
      type: object
      description: |
        Exactly one of file_id (an upload) and source (a layer of a completed job, split further);
        both or neither is 422 invalid_field. With source: 404 when the job or its layer does not
        exist, 409 while the job is not completed.
      oneOf:
        - required: [file_id]
        - required: [source]
      properties:
        file_id: { type: string, format: uuid }
        source: { $ref: "#/components/schemas/LayerSource" }
        num_layers: { type: integer, minimum: 2, maximum: 10, default: 5 }
        resolution: { type: integer, enum: [640, 1024], default: 1024 }
        cache:
          type: boolean
          default: true
          description: "false: no result from the result cache, and none left in it (a fresh endpoint call)"
        webhook:
          type: string
          format: uri
          maxLength: 2048
          description: |
            Where the job's events are POSTed: the job JSON (as GET /api/jobs/{id} serves it, at that
            event), signed the Standard Webhooks way (webhook-id, webhook-timestamp, webhook-signature
            headers; README "Webhooks"). https only; private, loopback, link-local and metadata
            addresses are refused (422 invalid_webhook naming why), so is any host outside
            WEBHOOK_ALLOWED_HOSTS when the operator set it. 422 webhooks_disabled when the service has
            no WEBHOOK_SECRET. Retried with backoff for WEBHOOK_RETRY_HOURS; answer 410 to stop
            deliveries for the job. Part of the Idempotency-Key's request.
        webhook_events:
          type: array
          minItems: 1
          items: { type: string, enum: [processing, completed, failed, cancelled] }
          default: [completed, failed, cancelled]
          description: the job events to deliver (the job entering that status); needs webhook
    LayerSource:
      type: object
      description: "a completed job's layer (an RGBA PNG, sent with its transparency) to decompose as the new job's image"
      required: [job_id, layer]
      additionalProperties: false
      properties:
        job_id: { type: string, format: uuid }
        layer: { type: integer, minimum: 0, maximum: 2147483647, description: "the layer's index in the job's layers" }
    EnqueuedJob:
      type: object
      required: [job_id, status]
      properties:
        job_id: { type: string, format: uuid }
        status: { $ref: "#/components/schemas/JobStatus" }
    JobStatus:
      type: string
      enum: [queued, processing, completed, failed, cancelled]
    Layer:
      type: object
      required: [index, filename, url, size_kb, width, height]
      properties:
        index: { type: integer }
        filename: { type: string }
        url: { type: string }
        size_kb: { type: number }
        width: { type: integer }
        height: { type: integer }
    JobError:
      type: object
      required: [code, message, google_status]
      properties:
        code: { type: string }
        message: { type: string }
        google_status: { type: [string, "null"] }
    Job:
      type: object
      required: [job_id, file_id, status, progress, message, version, num_layers, resolution, attempts,
                 recoveries, created_at, updated_at, layers, error, cost_usd, cached, parent]
      properties:
        job_id: { type: string, format: uuid }
        file_id: { type: string, format: uuid }
        status: { $ref: "#/components/schemas/JobStatus" }
        progress: { type: integer, minimum: 0, maximum: 100 }
        message: { type: string }
        version: { type: integer, description: "bumped by every change" }
        num_layers: { type: integer }
        resolution: { type: integer }
        attempts: { type: integer }
        recoveries: { type: integer }
        created_at: { type: string, format: date-time }
        updated_at: { type: string, format: date-time }
        layers: { type: array, items: { $ref: "#/components/schemas/Layer" } }
        error:
          oneOf:
            - type: "null"
            - $ref: "#/components/schemas/JobError"
        cost_usd: { type: number }
        cached:
          type: boolean
          description: "true when the job was completed from the result cache (an identical earlier request's layers, copied; no endpoint call)"
        parent:
          description: "the job and layer this job splits further (POST /api/decompose with source); null for a job on an upload"
          oneOf:
            - type: "null"
            - type: object
              required: [job_id, layer]
              properties:
                job_id: { type: string, format: uuid }
                layer: { type: integer, minimum: 0 }
        position:
          type: [integer, "null"]
          minimum: 1
          description: "only while queued: 1 = the next job claimed; null with a waiting_reason"
        eta_seconds:
          type: [integer, "null"]
          minimum: 0
          description: "only while queued: ceil(position / the fleet's call slots) × the average call; null when unknown"
        waiting_reason:
          type: [string, "null"]
          enum: [retry_backoff, budget_hold, operator_pause, null]
          description: "only while queued: why the job has no position (a retry's backoff, the daily budget's hold, an operator's pause)"
    CostDay:
      type: object
      required: [date, usd, gpu_seconds, requests, failed_requests, cache_hits, cache_avoided_usd]
      properties:
        date: { type: string, format: date }
        usd: { type: number }
        gpu_seconds: { type: number }
        requests: { type: integer }
        failed_requests: { type: integer }
        cache_hits: { type: integer, description: "jobs completed from the result cache, with no endpoint call" }
        cache_avoided_usd: { type: number, description: "what those calls would have cost (each entry's average call cost)" }
    CostReport:
      type: object
      required: [days, total_usd, total_cache_hits, total_cache_avoided_usd]
      properties:
        days: { type: array, items: { $ref: "#/components/schemas/CostDay" } }
        total_usd: { type: number }
        total_cache_hits: { type: integer }
        total_cache_avoided_usd: { type: number }
    Health:
      type: object
      required: [status]
      properties:
        status: { type: string }
        reason: { type: string }
  responses:
    InvalidJSON:
      description: invalid_json (malformed JSON, invalid UTF-8, empty body, not an object)
      content: { application/json: { schema: { $ref: "#/components/schemas/Error" } } }
    BadUpload:
      description: invalid_multipart (boundary missing or broken) or empty_file (0 bytes)
      content: { application/json: { schema: { $ref: "#/components/schemas/Error" } } }
    Unauthorized:
      description: unauthorized (missing or wrong API key)
      content: { application/json: { schema: { $ref: "#/components/schemas/Error" } } }
    NotFound:
      description: not_found, file_not_found or job_not_found
      content: { application/json: { schema: { $ref: "#/components/schemas/Error" } } }
    Conflict:
      description: conflict (cancelling a finished job; an Idempotency-Key reused with a different body)
      content: { application/json: { schema: { $ref: "#/components/schemas/Error" } } }
    TooLarge:
      description: upload_too_large (over MAX_UPLOAD_BYTES), image_too_large (over MAX_IMAGE_PIXELS), request_too_large
      content: { application/json: { schema: { $ref: "#/components/schemas/Error" } } }
    UnsupportedMediaType:
      description: unsupported_media_type (wrong Content-Type) or unsupported_image (not a PNG/JPEG by content, truncated)
      content: { application/json: { schema: { $ref: "#/components/schemas/Error" } } }
    InvalidField:
      description: |
        invalid_field (the message names the field and the allowed values) or missing_field (no 'file' part);
        on POST /api/decompose also invalid_webhook (the webhook is not an allowed target; the message says
        why) and webhooks_disabled (the service has no WEBHOOK_SECRET)
      content: { application/json: { schema: { $ref: "#/components/schemas/Error" } } }
    QueueFull:
      description: queue_full (deeper than MAX_QUEUE_DEPTH); see Retry-After
      headers:
        Retry-After: { schema: { type: integer } }
      content: { application/json: { schema: { $ref: "#/components/schemas/Error" } } }
    Unavailable:
      description: unavailable (Redis or the file storage unreachable); see Retry-After
      headers:
        Retry-After: { schema: { type: integer } }
      content: { application/json: { schema: { $ref: "#/components/schemas/Error" } } }
\#(AdminOpenAPI.responses)
"""#
    }
}
