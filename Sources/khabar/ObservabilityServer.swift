import FlyingFox
import FlyingSocks
import Foundation
import Logging
import Prometheus
import ServiceLifecycle
import Synchronization
import Worker

/// The worker's HTTP listener: `/healthz` (alive), `/readyz` (partitions assigned), `/metrics`
/// (Prometheus text format). Binds all IPv4 interfaces so container probes reach it.
struct ObservabilityServer: Service {
    let port: UInt16
    let status: WorkerStatus
    let registry: PrometheusCollectorRegistry
    let logger: Logger

    func run() async throws {
        let server = HTTPServer(address: .inet(port: port), logger: .disabled)
        await server.appendRoute("GET /healthz") { _ in
            HTTPResponse(statusCode: .ok, headers: [.contentType: "text/plain"], body: Data("ok\n".utf8))
        }
        await server.appendRoute("GET /readyz") { [status] _ in
            status.isReady
                ? HTTPResponse(statusCode: .ok, headers: [.contentType: "text/plain"], body: Data("ready\n".utf8))
                : HTTPResponse(
                    statusCode: .serviceUnavailable,
                    headers: [.contentType: "text/plain"],
                    body: Data("not ready: no partitions assigned\n".utf8)
                )
        }
        await server.appendRoute("GET /metrics") { [registry] _ in
            HTTPResponse(
                statusCode: .ok,
                headers: [.contentType: "text/plain; version=0.0.4"],
                body: Data(registry.emitToBuffer())
            )
        }
        logger.info("http listening", metadata: ["port": "\(port)"])
        let stopping = Mutex(false)
        do {
            try await withGracefulShutdownHandler {
                try await server.run()
            } onGracefulShutdown: {
                stopping.withLock { $0 = true }
                Task { await server.stop(timeout: 1) }
            }
        } catch  where stopping.withLock({ $0 }) {
            // FlyingFox ends `run` with an error (cancellation, or a socket disconnect) when stopped:
            // after a graceful-shutdown request that is the normal end.
        }
    }
}
