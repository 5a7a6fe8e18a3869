/**
 * The upload relay's HTTP routes (docs/http-api.md §1.10, the reference's
 * `crates/walrus-upload-relay/src/controller.rs`): `GET /v1/tip-config` and
 * `POST /v1/blob-upload-relay?blob_id=…` with a raw body up to `--relay-max-body-size` that must not
 * arrive too slowly, behind its own load shedding (the reference has none: one slow client per
 * slot would otherwise hold the relay). Query and tip parameters are refused before the body is
 * read; a client that leaves aborts its node requests.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RelayConfig } from '../config.ts';
import { parseRelayQuery } from '../relay/relay-query.ts';
import type { UploadRelay } from '../relay/upload-relay.ts';
import { clientAbortSignal } from './client-abort.ts';
import { LoadShedder } from './load-shedding.ts';
import { readRawBody } from './raw-body.ts';

export interface RelayRouteDeps {
  readonly relay: UploadRelay;
  readonly config: RelayConfig;
}

export interface RelayRoutes {
  readonly shedder: LoadShedder;
}

export function registerRelayRoutes(app: FastifyInstance, deps: RelayRouteDeps): RelayRoutes {
  const { relay, config } = deps;
  const shedder = new LoadShedder({ maxConcurrent: config.maxConcurrentRequests, maxBuffer: config.maxBufferSize, service: 'upload relay' });


  const upload = async (request: FastifyRequest, reply: FastifyReply) => {
    const params = parseRelayQuery(request.query as Record<string, string | string[] | undefined>);
    const readBody = () => readRawBody(request.raw, { limit: config.maxBodySize, timeouts: config.bodyTimeouts });
    const result = await relay.relay(params, readBody, clientAbortSignal(reply));
    return reply.code(200).type('application/json').send(result);
  };

  // HEAD too, as on every GET route: monitors probe with it.
  app.route({ method: ['GET', 'HEAD'], url: '/v1/tip-config', handler: async (_request, reply) => reply.type('application/json').send(JSON.stringify(relay.tipConfig)) });
  void app.register(async (scope) => {
    // The handler streams the body itself (one buffer, limit enforced while reading), whatever its type.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));
    scope.post('/v1/blob-upload-relay', { onRequest: shedder.onRequest }, upload);
  });
  app.addHook('onClose', async () => {
    await relay.close();
  });
  return { shedder };
}
