/**
 * The gateway's Fastify app factory: `buildApp(deps)` wires the HTTP concerns (errors, CORS, load
 * shedding, metrics) and registers the routes of the configured mode. The entry point reads the
 * configuration and calls `listen`; tests build the app with a local network.
 */
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import type { DestinationStream } from 'pino';
import { BlobReader } from '../aggregator/blob-reader.ts';
import { Blocklist } from '../aggregator/blocklist.ts';
import { MemoryBlobCache } from '../aggregator/memory-blob-cache.ts';
import { MetadataReader } from '../aggregator/metadata-reader.ts';
import { QuiltReader } from '../aggregator/quilt-reader.ts';
import { ReadMetrics } from '../aggregator/read-metrics.ts';
import type { ChainClient } from '../chain/chain-client.ts';
import { InlineCodec, type BlobCodec } from '../codec/blob-codec.ts';
import type { CodecKernel } from '../codec/kernel/kernel.ts';
import type { GatewayConfig } from '../config.ts';
import { CommitteeView } from '../nodes/committee-view.ts';
import { errorCacheControl } from './cache-control.ts';
import { registerCors } from './cors.ts';
import {
  ClientDisconnectedError,
  HeadersTooLargeError,
  MalformedRequestError,
  RequestTimeoutError,
  RouteNotFoundError,
  UnsupportedTransferCodingError,
} from '../errors/gateway-errors.ts';
import { clientAbortSignal, clientGone, registerClientAbort } from './client-abort.ts';
import { errorResponse } from './errors.ts';
import { LoadShedder, registerLoadShedding } from './load-shedding.ts';
import { trackRouteMethods } from './method-not-allowed.ts';
import type { GatewayMetrics } from './metrics.ts';
import { registerQuiltRoutes } from './quilt-routes.ts';
import { registerReadRoutes } from './read-routes.ts';
import { registerStreamRoutes } from './stream-routes.ts';
import type { BlobPublisher } from '../publisher/blob-publisher.ts';
import { registerPublisherRoutes } from './publisher-routes.ts';
import { registerPublisherPlaceholders, registerServiceRoutes } from './service-routes.ts';
import { registerConsoleRoutes } from '../console/console-routes.ts';
import type { UploadRelay } from '../relay/upload-relay.ts';
import { registerRelayRoutes } from './relay-routes.ts';

export interface AppDeps {
  readonly config: GatewayConfig;
  readonly chain: ChainClient;
  readonly kernel: CodecKernel;
  /** Where reads decode (codec workers); default: inline with `kernel`. Its owner closes it, after the app. */
  readonly codec?: BlobCodec;
  readonly metrics: GatewayMetrics;
  readonly blocklist?: Blocklist;
  /** The store flow (publisher and daemon modes); without it the PUT routes answer 501. */
  readonly publisher?: BlobPublisher;
  /** The upload relay (`upload-relay` mode, `daemon --upload-relay`); without it its routes are not served. */
  readonly relay?: UploadRelay;
  /** Pino logger options; `false` silences the app (tests); `stream` captures the log (tests). */
  readonly logger?: boolean | { level: string; stream?: DestinationStream };
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
  /** The upload relay's own load shedder, when it serves the relay. */
  readonly relayShedder?: LoadShedder;
}

/** Node checks header deadlines on an interval (30 s by default); this many checks per timeout keep it close. */
const HEADER_TIMEOUT_CHECKS = 4;
const MAX_CONNECTIONS_CHECK_MS = 30_000;
/** The error response may leave before the body was read; afterwards Node would drain the rest on a kept-alive socket. */
const CLOSE_CONNECTION = { connection: 'close' };

/**
 * Errors Node raises before a request exists (header timeout, oversized or malformed headers):
 * the same JSON body as every other error, then the connection is closed (as Node's own handler).
 */
function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const known =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? new RequestTimeoutError('the request headers did not arrive in time')
      : error.code === 'HPE_HEADER_OVERFLOW'
        ? new HeadersTooLargeError()
        : new MalformedRequestError('the request is not valid HTTP');
  const { statusCode, body } = errorResponse(known);
  const text = JSON.stringify(body);
  if (socket.writable) {
    socket.write(`HTTP/1.1 ${statusCode} ${STATUS_CODES[statusCode] ?? ''}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n${text}`);
  }
  socket.destroy();
}

/** Node's default limit on a request head (16 KiB): no path parameter can be longer. */
const MAX_PATH_PARAM_LENGTH = 16 * 1024;

export function buildApp(deps: AppDeps): GatewayApp {
  const { config, chain, kernel, metrics } = deps;
  const app = Fastify({
    logger: deps.logger ?? { level: config.logLevel },
    // HEAD is registered by hand: Fastify's automatic HEAD would run GET and rebuild the blob.
    exposeHeadRoutes: false,
    // Quilt patch identifiers are path segments (`/v1/blobs/by-quilt-id/{id}/{identifier}`) and may
    // be long: let the request head's own limit bound them, not the router's default of 100.
    routerOptions: { maxParamLength: MAX_PATH_PARAM_LENGTH },
    return503OnClosing: true,
    http: {
      headersTimeout: config.requestHeaderTimeoutMs,
      connectionsCheckingInterval: Math.min(MAX_CONNECTIONS_CHECK_MS, Math.max(1, Math.floor(config.requestHeaderTimeoutMs / HEADER_TIMEOUT_CHECKS))),
    },
    clientErrorHandler: answerClientError,
  });
  const log = app.log.child({ component: 'aggregator' });
  const readMetrics = new ReadMetrics(metrics.registry);
  const committees = new CommitteeView({
    chain,
    nodeTimeoutMs: config.nodeTimeoutMs,
    countRequest: readMetrics.nodes.count,
  });
  const blobCache = new MemoryBlobCache({ maxBytes: config.cacheSizeBytes, maxEntryFraction: config.cacheMaxEntryFraction, metrics: readMetrics });
  const metadata = new MetadataReader({ committees, kernel, maxEntries: config.metadataCacheEntries, maxBlobSize: config.maxBlobSize, metrics: readMetrics, log });
  const reader = new BlobReader({ metadata, cache: blobCache, kernel, codec: deps.codec ?? new InlineCodec(kernel), hedgeDelayMs: config.hedgeDelayMs, streamThreshold: config.streamThreshold, metrics: readMetrics, log });
  const shedder = new LoadShedder({ maxConcurrent: config.maxConcurrentRequests, maxBuffer: config.maxBufferSize });

  // Before any route is registered, so that every one is known.
  const routeMethods = trackRouteMethods(app);
  // First: the abort signal must exist before any hook (load shedding) can make the request wait.
  registerClientAbort(app);
  app.addHook('onRequest', async (request) => {
    const coding = request.headers['transfer-encoding'];
    if (coding !== undefined && coding.trim().toLowerCase() !== 'chunked') throw new UnsupportedTransferCodingError(coding);
  });
  metrics.instrument(app);
  registerCors(app, config.corsOrigins);
  registerLoadShedding(app, shedder);
  app.setNotFoundHandler(async (request) => {
    routeMethods.check(request.method, request.url);
    throw new RouteNotFoundError(request.method, request.url);
  });
  app.setErrorHandler(async (error, request, reply) => {
    // Whatever a cancelled read or store throws once its client left (an AbortError, a node error
    // with the abort as cause) is the client's doing: 499 and a debug line, not a 500 with a trace.
    const gone = error instanceof ClientDisconnectedError || clientAbortSignal(reply).aborted || clientGone(reply.raw);
    const response = errorResponse(gone ? new ClientDisconnectedError() : error);
    if (gone) request.log.debug({ reason: error instanceof Error ? error.message : String(error) }, 'client disconnected');
    else if (response.traceId) request.log.error({ err: error, traceId: response.traceId }, 'internal error');
    else request.log.debug({ err: error }, 'request failed');
    if (!request.raw.complete) reply.headers(CLOSE_CONNECTION);
    // Success headers set before the failure (ETag, Content-Type, …) must not describe the error body.
    for (const name of ['etag', 'content-type', 'content-disposition', 'content-security-policy', 'x-cache', 'accept-ranges', 'x-quilt-patch-identifier', 'x-walrus-quilt-patch-id']) reply.removeHeader(name);
    reply.header('cache-control', errorCacheControl(response.statusCode, config.errorCacheSeconds));
    for (const [name, value] of Object.entries(response.headers)) reply.header(name, value);
    return reply.code(response.statusCode).type('application/json').send(response.body);
  });

  registerServiceRoutes(app);
  const reads = config.mode === 'aggregator' || config.mode === 'daemon';
  const stores = config.mode === 'publisher' || config.mode === 'daemon';
  if (reads) {
    const blocklist = deps.blocklist ?? Blocklist.empty();
    registerReadRoutes(app, { config, reader, chain, blocklist });
    registerQuiltRoutes(app, { config, reader, quilts: new QuiltReader({ blobs: reader, cache: blobCache, metrics: readMetrics }), blocklist });
    registerStreamRoutes(app, { config, reader, chain, blocklist });
  }
  let publisherShedder: LoadShedder | undefined;
  if (stores && deps.publisher) publisherShedder = registerPublisherRoutes(app, { publisher: deps.publisher, config: config.publisher }).shedder;
  else if (stores) registerPublisherPlaceholders(app);
  const relayShedder = deps.relay ? registerRelayRoutes(app, { relay: deps.relay, config: config.relay }).shedder : undefined;
  // The console stores through PUT /v1/blobs and reads through the aggregator: a lone relay has neither.
  if (config.console && (reads || stores)) {
    const upload = stores && deps.publisher !== undefined;
    registerConsoleRoutes(app, { upload, lookup: reads, maxBodySize: upload ? config.publisher.maxBodySize : undefined });
  }
  app.addHook('onClose', async () => {
    await committees.close();
  });
  return { app, reader, blobCache, readMetrics, shedder, publisherShedder, relayShedder };
}
