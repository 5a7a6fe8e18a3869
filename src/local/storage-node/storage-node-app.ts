import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { ChainView } from './chain-view.ts';
import { registerOpenCors } from './cors.ts';
import { routeErrorHandler, sendError } from './error-response.ts';
import { registerHostileMode } from './hostile-responses.ts';
import { RouteNotFoundError } from './node-errors.ts';
import type { NodeFaults } from './node-faults.ts';
import { registerConfirmationRoutes } from './routes/confirmation-routes.ts';
import { registerMetadataRoutes } from './routes/metadata-routes.ts';
import { registerSliverRoutes } from './routes/sliver-routes.ts';
import { registerStatusRoutes } from './routes/status-routes.ts';
import { registerUnimplementedRoutes } from './routes/unimplemented-routes.ts';
import type { NodeTls } from './node-certificate.ts';
import type { StorageNodeService } from './storage-node-service.ts';

export interface StorageNodeAppDeps {
  readonly service: StorageNodeService;
  /** Started: the app reads the shard count from it to size body limits. */
  readonly chain: ChainView;
  /** The node's compressed BLS public key, shown by `/v1/health`. */
  readonly publicKey: Uint8Array;
  readonly faults: () => NodeFaults;
  readonly logger?: FastifyBaseLogger;
  readonly startedAt?: bigint;
  /** Serve TLS (HTTP/1.1) with this key and certificate instead of plain HTTP. */
  readonly tls?: NodeTls;
}

/**
 * The storage-node REST API (docs/protocol.md §4) as a Fastify app, for `listen()` or `inject()`.
 * Bodies are read as raw bytes whatever their Content-Type; each route decides what it accepts.
 */
export function buildStorageNodeApp(deps: StorageNodeAppDeps): FastifyInstance {
  const options = {
    ...(deps.logger ? { loggerInstance: deps.logger } : { logger: false }),
    // Withheld confirmations hold connections open; stopping the node must cut them.
    forceCloseConnections: true,
  };
  // An https server is the same app to every route and hook; only its Node server type differs.
  const app = deps.tls ? (Fastify({ ...options, https: { key: deps.tls.key, cert: deps.tls.cert } }) as unknown as FastifyInstance) : Fastify(options);
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  app.setErrorHandler(routeErrorHandler(false));
  app.setNotFoundHandler((_request, reply) => sendError(reply, new RouteNotFoundError()));

  app.addHook('onRequest', (_request, _reply, done) => {
    const { latencyMs } = deps.faults();
    if (latencyMs > 0) setTimeout(done, latencyMs);
    else done();
  });
  // Before CORS and the routes, so a hostile node is hostile to every request, preflights included.
  registerHostileMode(app, deps.faults);
  registerOpenCors(app);

  const { nShards } = deps.chain.state;
  registerMetadataRoutes(app, deps.service, nShards);
  registerSliverRoutes(app, deps.service, nShards);
  registerConfirmationRoutes(app, deps.service, deps.faults);
  registerStatusRoutes(app, {
    service: deps.service,
    chain: deps.chain,
    publicKey: deps.publicKey,
    startedAt: deps.startedAt ?? process.hrtime.bigint(),
  });
  registerUnimplementedRoutes(app);
  return app;
}
