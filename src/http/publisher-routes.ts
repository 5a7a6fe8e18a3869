/**
 * The publisher's HTTP route (docs/http-api.md §1.6): `PUT /v1/blobs` with the reference's query, a
 * raw body up to `--max-body-size` that must not arrive too slowly (`--body-idle-timeout`,
 * `--body-min-rate`), its own load shedding (8 running + 8 queued by default) and optional JWT auth; `PUT /v1/quilts` still answers 501 (quilts are not built yet).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { PublisherConfig } from '../config.ts';
import type { BlobPublisher } from '../publisher/blob-publisher.ts';
import { JwtAuthenticator, jwtAuthEnabled, type VerifiedToken } from '../publisher/jwt-auth.ts';
import { parseStoreQuery } from '../publisher/publisher-query.ts';
import { clientAbortSignal } from './client-abort.ts';
import { NotImplementedError } from '../errors/gateway-errors.ts';
import { LoadShedder } from './load-shedding.ts';
import { readRawBody } from './raw-body.ts';

export interface PublisherRouteDeps {
  readonly publisher: BlobPublisher;
  readonly config: PublisherConfig;
}

export interface PublisherRoutes {
  readonly shedder: LoadShedder;
}

export function registerPublisherRoutes(app: FastifyInstance, deps: PublisherRouteDeps): PublisherRoutes {
  const { config, publisher } = deps;
  const shedder = new LoadShedder({ maxConcurrent: config.maxConcurrentRequests, maxBuffer: config.maxBufferSize, service: 'publisher' });
  const auth = jwtAuthEnabled(config.jwt) ? new JwtAuthenticator(config.jwt) : undefined;

  // Admission in `onRequest`, before anything else can wait or fail, so every end of the request gives the slot back.
  const admit = async (_request: FastifyRequest, reply: FastifyReply) => {
    await shedder.admit(reply);
  };

  const putBlob = async (request: FastifyRequest, reply: FastifyReply) => {
    const params = parseStoreQuery(request.query as Record<string, string | string[] | undefined>);
    const header = request.headers['content-length'];
    let token: VerifiedToken | undefined;
    if (auth) {
      token = await auth.authenticate(request.headers.authorization, {
        contentLength: header === undefined ? undefined : Number(header),
        epochs: params.epochs,
        sendObjectTo: params.sendObjectTo,
      });
    }
    const body = await readRawBody(request.raw, { limit: config.maxBodySize, timeouts: config.bodyTimeouts });
    if (auth && token) auth.checkBodySize(token, body.length);
    const result = await publisher.store(body, params, clientAbortSignal(reply));
    return reply.code(200).type('application/json').send(result);
  };

  void app.register(async (scope) => {
    // The handler streams the body itself (one buffer, limit enforced while reading), whatever its type.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));
    scope.put('/v1/blobs', { onRequest: admit }, putBlob);
    scope.put('/v1/quilts', async () => {
      throw new NotImplementedError('PUT /v1/quilts (quilts)');
    });
  });
  app.addHook('onClose', async () => {
    auth?.close();
    await publisher.close();
  });
  return { shedder };
}
