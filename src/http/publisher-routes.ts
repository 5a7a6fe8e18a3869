/**
 * The publisher's HTTP routes (docs/http-api.md §1.6): `PUT /v1/blobs` with the reference's query
 * and a raw body up to `--max-body-size` (in one buffer, or past `--spool-threshold` in a spool
 * file under `DATA_DIR/spool`, swept before the routes serve), and `PUT /v1/quilts` with the same query (plus
 * `quilt_version`) and a multipart form up to `--max-quilt-body-size`. Bodies must not arrive too
 * slowly (`--body-idle-timeout`, `--body-min-rate`); both routes share one load shedding (8
 * running + 8 queued by default) and the optional JWT auth.
 */
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { PublisherConfig } from '../config.ts';
import type { BlobPublisher } from '../publisher/blob-publisher.ts';
import { JwtAuthenticator, jwtAuthEnabled, type VerifiedToken } from '../publisher/jwt-auth.ts';
import { checkQuiltVersion, parseStoreQuery, type StoreParams } from '../publisher/publisher-query.ts';
import { clientAbortSignal } from './client-abort.ts';
import { LoadShedder } from './load-shedding.ts';
import { MULTIPART_FORM, readQuiltForm } from './quilt-form.ts';
import { UnsupportedMediaTypeError } from '../errors/gateway-errors.ts';
import { SpoolDirectory } from './spool-directory.ts';
import { readSpooledBody } from './spooled-body.ts';

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


  /**
   * The token's claims are checked against the query, and against the Content-Length before the
   * body is read when `bodyIsBlob` (a quilt's form is not the size a token speaks of).
   */
  const authenticate = async (request: FastifyRequest, params: StoreParams, bodyIsBlob: boolean): Promise<VerifiedToken | undefined> => {
    if (!auth) return undefined;
    const header = request.headers['content-length'];
    return auth.authenticate(request.headers.authorization, {
      contentLength: header === undefined || !bodyIsBlob ? undefined : Number(header),
      epochs: params.epochs,
      sendObjectTo: params.sendObjectTo,
    });
  };

  const putBlob = (spool: SpoolDirectory) => async (request: FastifyRequest, reply: FastifyReply) => {
    const params = parseStoreQuery(request.query as Record<string, string | string[] | undefined>);
    const token = await authenticate(request, params, true);
    const body = await readSpooledBody(request.raw, { limit: config.maxBodySize, timeouts: config.bodyTimeouts, threshold: config.spoolThreshold, create: () => spool.create() });
    const signal = clientAbortSignal(reply);
    try {
      if (auth && token) auth.checkBodySize(token, body.length);
      const result = body.kind === 'memory' ? await publisher.store(body.bytes, params, signal) : await publisher.storeSpooled(body.file, body.length, params, signal);
      return reply.code(200).type('application/json').send(result);
    } finally {
      // The upload holds the file for as long as nodes may still read it; this only lets go of the request's hold.
      if (body.kind === 'file') body.file.close();
    }
  };

  const putQuilt = async (request: FastifyRequest, reply: FastifyReply) => {
    const query = request.query as Record<string, string | string[] | undefined>;
    const params = parseStoreQuery(query);
    checkQuiltVersion(query);
    const token = await authenticate(request, params, false);
    const inputs = await readQuiltForm(request, { limit: config.maxQuiltBodySize, timeouts: config.bodyTimeouts });
    const signal = clientAbortSignal(reply);
    const quilt = await publisher.encodeQuilt(inputs, signal);
    // As the reference: a token's size limit applies to the quilt blob, not to the form.
    if (auth && token) auth.checkBodySize(token, quilt.bytes.length);
    const result = await publisher.storeQuilt(quilt, params, signal);
    return reply.code(200).type('application/json').send(result);
  };

  void app.register(async (scope) => {
    // Before the route serves: what a crashed process left in the spool directory goes.
    const spool = await SpoolDirectory.open(config.spoolDir);
    // The handler streams the body itself (limit enforced while reading), whatever its type.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));
    scope.put('/v1/blobs', { onRequest: shedder.onRequest }, putBlob(spool));
  });
  void app.register(async (scope) => {
    // Only multipart/form-data; the parts are read by the handler as they stream (quilt-form.ts).
    scope.removeAllContentTypeParsers();
    await scope.register(multipart);
    scope.addContentTypeParser('*', (request, _payload, done) => done(new UnsupportedMediaTypeError(request.headers['content-type'], MULTIPART_FORM), undefined));
    scope.put('/v1/quilts', { onRequest: shedder.onRequest }, putQuilt);
  });
  app.addHook('onClose', async () => {
    auth?.close();
    await publisher.close();
  });
  return { shedder };
}
