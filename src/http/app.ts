/**
 * The gateway's Fastify app factory: `buildApp(deps)` wires the HTTP concerns (errors, CORS, load
 * shedding, metrics) and registers the routes of the configured mode. The entry point reads the
 * configuration and calls `listen`; tests build the app with a local network.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { BlobReader } from '../aggregator/blob-reader.ts';
import { Blocklist } from '../aggregator/blocklist.ts';
import { MemoryBlobCache } from '../aggregator/memory-blob-cache.ts';
import { MetadataReader } from '../aggregator/metadata-reader.ts';
import { ReadMetrics } from '../aggregator/read-metrics.ts';
import type { ChainClient } from '../chain/chain-client.ts';
import type { CodecKernel } from '../codec/kernel/kernel.ts';
import type { GatewayConfig } from '../config.ts';
import { CommitteeView } from '../nodes/committee-view.ts';
import { errorCacheControl } from './cache-control.ts';
import { registerCors } from './cors.ts';
import { RouteNotFoundError } from '../errors/gateway-errors.ts';
import { errorResponse } from './errors.ts';
import { LoadShedder, registerLoadShedding } from './load-shedding.ts';
import type { GatewayMetrics } from './metrics.ts';
import { registerReadRoutes } from './read-routes.ts';
import type { BlobPublisher } from '../publisher/blob-publisher.ts';
import { registerPublisherRoutes } from './publisher-routes.ts';
import { registerPublisherPlaceholders, registerServiceRoutes } from './service-routes.ts';

export interface AppDeps {
  readonly config: GatewayConfig;
  readonly chain: ChainClient;
  readonly kernel: CodecKernel;
  readonly metrics: GatewayMetrics;
  readonly blocklist?: Blocklist;
  /** The store flow (publisher and daemon modes); without it the PUT routes answer 501. */
  readonly publisher?: BlobPublisher;
  /** Pino logger options; `false` silences the app (tests). */
  readonly logger?: boolean | { level: string };
}

/** What the caller may need beyond the app itself (tests read caches and metrics). */
export interface GatewayApp {
  readonly app: FastifyInstance;
  readonly reader: BlobReader;
  readonly blobCache: MemoryBlobCache;
  readonly readMetrics: ReadMetrics;
  readonly shedder: LoadShedder;
  /** The publisher's own load shedder, when it serves PUTs. */
  readonly publisherShedder?: LoadShedder;
}

export function buildApp(deps: AppDeps): GatewayApp {
  const { config, chain, kernel, metrics } = deps;
  // HEAD is registered by hand: Fastify's automatic HEAD would run GET and rebuild the blob.
  const app = Fastify({ logger: deps.logger ?? { level: config.logLevel }, exposeHeadRoutes: false, return503OnClosing: true });
  const log = app.log.child({ component: 'aggregator' });
  const readMetrics = new ReadMetrics(metrics.registry);
  const committees = new CommitteeView({
    chain,
    nodeTimeoutMs: config.nodeTimeoutMs,
    countRequest: (kind, outcome) => readMetrics.nodeRequests.inc({ kind, outcome }),
  });
  const blobCache = new MemoryBlobCache({ maxBytes: config.cacheSizeBytes, maxEntryFraction: config.cacheMaxEntryFraction, metrics: readMetrics });
  const metadata = new MetadataReader({ committees, kernel, maxEntries: config.metadataCacheEntries, maxBlobSize: config.maxBlobSize, metrics: readMetrics, log });
  const reader = new BlobReader({ metadata, cache: blobCache, kernel, hedgeDelayMs: config.hedgeDelayMs, metrics: readMetrics, log });
  const shedder = new LoadShedder({ maxConcurrent: config.maxConcurrentRequests, maxBuffer: config.maxBufferSize });

  metrics.instrument(app);
  registerCors(app, config.corsOrigins);
  registerLoadShedding(app, shedder);
  app.setNotFoundHandler(async (request) => {
    throw new RouteNotFoundError(request.method, request.url);
  });
  app.setErrorHandler(async (error, request, reply) => {
    const response = errorResponse(error);
    if (response.traceId) request.log.error({ err: error, traceId: response.traceId }, 'internal error');
    else request.log.debug({ err: error }, 'request failed');
    // Success headers set before the failure (ETag, Content-Type, …) must not describe the error body.
    for (const name of ['etag', 'content-type', 'content-disposition', 'content-security-policy', 'x-cache', 'accept-ranges']) reply.removeHeader(name);
    reply.header('cache-control', errorCacheControl(response.statusCode, config.errorCacheSeconds));
    for (const [name, value] of Object.entries(response.headers)) reply.header(name, value);
    return reply.code(response.statusCode).type('application/json').send(response.body);
  });

  registerServiceRoutes(app);
  if (config.mode !== 'publisher') registerReadRoutes(app, { config, reader, chain, blocklist: deps.blocklist ?? Blocklist.empty() });
  let publisherShedder: LoadShedder | undefined;
  if (config.mode !== 'aggregator' && deps.publisher) publisherShedder = registerPublisherRoutes(app, { publisher: deps.publisher, config: config.publisher }).shedder;
  else if (config.mode !== 'aggregator') registerPublisherPlaceholders(app);
  app.addHook('onClose', async () => {
    await committees.close();
  });
  return { app, reader, blobCache, readMetrics, shedder, publisherShedder };
}
