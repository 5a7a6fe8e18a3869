/**
 * Prometheus metrics on their own listener (`--metrics-address`, `/metrics`), as the reference
 * serves them apart from the API: process metrics, HTTP requests by route and status, the codec
 * kernel in use, and the read path's own metrics (`aggregator/read-metrics.ts`).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** Seconds; 5 ms to 240 s like the reference's `http_server_request_duration_seconds`. */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 240];
const HTTP_OK = 200;
const HTTP_NOT_FOUND = 404;

export interface GatewayMetricsOptions {
  /** The codec kernel line (`kernelSelection().description`). */
  readonly kernelDescription: string;
  readonly kernelName: string;
  readonly mode: string;
  /** Process-wide default metrics; off in tests that build several registries. */
  readonly processMetrics?: boolean;
}

export class GatewayMetrics {
  readonly registry = new Registry();
  readonly requestDuration: Histogram<'method' | 'route' | 'status'>;

  constructor(options: GatewayMetricsOptions) {
    const registers = [this.registry];
    if (options.processMetrics) collectDefaultMetrics({ register: this.registry });
    const kernel = new Gauge({ name: 'walrus_gateway_codec_kernel_info', help: 'The codec kernel in use (value 1)', labelNames: ['kernel', 'description'], registers });
    kernel.set({ kernel: options.kernelName, description: options.kernelDescription }, 1);
    const build = new Gauge({ name: 'walrus_gateway_build_info', help: 'Mode of this gateway (value 1)', labelNames: ['mode'], registers });
    build.set({ mode: options.mode }, 1);
    this.requestDuration = new Histogram({
      name: 'walrus_gateway_http_request_duration_seconds',
      help: 'HTTP requests by method, route and status',
      labelNames: ['method', 'route', 'status'],
      buckets: DURATION_BUCKETS,
      registers,
    });
  }

  /** Times every request of `app` by its route pattern (unmatched: `invalid-route`, as the reference). */
  instrument(app: FastifyInstance): void {
    app.addHook('onResponse', async (request, reply) => {
      this.requestDuration.observe(
        { method: request.method, route: request.routeOptions.url ?? 'invalid-route', status: String(reply.statusCode) },
        reply.elapsedTime / 1000,
      );
    });
  }
}

/** Serves `GET /metrics` from `registry`; resolves with the listening server. */
export async function startMetricsServer(registry: Registry, host: string, port: number): Promise<{ server: Server; url: string }> {
  const server = createServer((request, response) => {
    if (request.method !== 'GET' || request.url?.split('?')[0] !== '/metrics') {
      response.writeHead(HTTP_NOT_FOUND).end();
      return;
    }
    registry.metrics().then(
      (text) => response.writeHead(HTTP_OK, { 'content-type': registry.contentType }).end(text),
      (error: unknown) => response.writeHead(500).end(String(error)),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return { server, url: `http://${shownHost}:${address.port}/metrics` };
}
