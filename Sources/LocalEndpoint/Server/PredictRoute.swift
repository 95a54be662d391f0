import Foundation
import Hummingbird
import NIOCore
import ServiceLifecycle
import SystemSupport

/// The `:predict` handler: reads the body, takes the request's fate from the
/// fault plan, waits out the added latency, then either misbehaves as drawn
/// or runs the prediction on `ComputePool.localEndpoint`.
///
/// The body is always read first, as a real front end does, so a faulty
/// answer never leaves an unread request on a kept-alive connection.
struct PredictRoute: Sendable {
    let plan: FaultPlan
    let predictor: Predictor
    let maxRequestBytes: Int
    /// Gets one entry per request, however it ends.
    let log: RequestLog?

    func respond(to request: Request, context: some RequestContext) async throws -> Response {
        // `nil` until the fault is drawn, then `.some(nil)` for none.
        var drawn: Fault?? = nil
        guard let log else { return try await answer(request, context: context, drawn: &drawn) }
        let arrived = Date().millisecondsSince1970
        let started = ContinuousClock.now
        do {
            let response = try await answer(request, context: context, drawn: &drawn)
            log.record(Self.entry(arrived: arrived, since: started, drawn: drawn, status: Int(response.status.code)))
            return response
        } catch {
            log.record(Self.entry(arrived: arrived, since: started, drawn: drawn, status: (error as? GoogleError)?.httpStatus ?? 500))
            throw error
        }
    }

    /// - Parameter drawn: set to the request's fault (`.some(nil)`: none) once it is drawn.
    private func answer(_ request: Request, context: some RequestContext, drawn: inout Fault??) async throws -> Response {
        let started = ContinuousClock.now
        let body = try await collectBody(request)
        let draw = plan.next()
        drawn = .some(draw.fault)
        if draw.latency > .zero { try await Task.sleep(for: draw.latency) }
        let path = request.uri.path

        switch draw.fault {
        case .rateLimited?:
            context.logger.info("\(path): injected 429")
            throw GoogleError.rateLimited(retryAfterSeconds: plan.settings.retryAfterSeconds)
        case .unavailable?:
            context.logger.info("\(path): injected 503")
            throw GoogleError.unavailable("The local endpoint is unavailable (injected fault). Try again later.")
        case .hang?:
            context.logger.info("\(path): injected hang (up to \(plan.settings.hangDuration))")
            // Ends early on graceful shutdown, so Ctrl-C never waits out an hour.
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: plan.settings.hangDuration) }
            throw GoogleError.unavailable("The local endpoint is shutting down.")
        case .malformedBody?:
            context.logger.info("\(path): injected malformed body")
            return Self.json(PredictionBody.malformed)
        case .wrongLayerCount?, nil:
            let predictor = predictor
            let wrong = draw.fault == .wrongLayerCount
            let outcome = try await ComputePool.localEndpoint.run { try predictor.predict(body: body, wrongLayerCount: wrong) }
            let milliseconds = started.duration(to: .now).milliseconds
            context.logger.info("\(path): \(outcome.summary)\(wrong ? " (injected wrong layer count)" : "") in \(milliseconds) ms")
            return Self.json(outcome.body)
        }
    }

    /// A request that never got as far as a draw (an unreadable or oversized body) is an `error`.
    private static func entry(arrived: Int64, since started: ContinuousClock.Instant, drawn: Fault??, status: Int) -> RequestLogEntry {
        RequestLogEntry(
            arrivedMilliseconds: arrived,
            outcome: drawn.map { RequestLogEntry.Outcome(fault: $0, failed: status != 200) } ?? .error,
            status: status, durationMilliseconds: started.duration(to: .now).milliseconds)
    }

    private func collectBody(_ request: Request) async throws -> Data {
        do {
            let buffer = try await request.body.collect(upTo: maxRequestBytes)
            return Data(buffer.readableBytesView)
        } catch is NIOTooManyBytesError {
            throw GoogleError.invalidArgument("Request payload size exceeds the limit: \(maxRequestBytes) bytes.")
        }
    }

    private static func json(_ body: [UInt8]) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=UTF-8"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
