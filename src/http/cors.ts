/**
 * CORS (Fetch standard §3.2). The reference allows any origin, method and header with a 24 h
 * max-age, but exposes no headers, so browsers cannot read `ETag` or `Content-Range` cross-origin.
 * We keep its openness by default, let operators list origins, and expose what readers need.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** The reference's preflight max-age: 24 h. */
const PREFLIGHT_MAX_AGE_SECONDS = 86_400;
export const EXPOSED_HEADERS = [
  'ETag',
  'Content-Range',
  'Content-Length',
  'Content-Disposition',
  'Accept-Ranges',
  'Retry-After',
  'X-Cache',
  'X-Walrus-Blob-Id',
  'X-Walrus-Object-Id',
  'X-Walrus-Certified-Epoch',
  'X-Walrus-End-Epoch',
  'X-Quilt-Patch-Identifier',
  'X-Walrus-Quilt-Patch-Id',
  'X-Walrus-Streaming',
].join(', ');
// POST: the upload relay's route; a browser posting with a Content-Type of its own asks first.
const ALLOWED_METHODS = 'GET, HEAD, PUT, POST, OPTIONS';
const HTTP_NO_CONTENT = 204;

function allowedOrigin(origins: readonly string[] | '*', origin: string | undefined): string | undefined {
  if (origins === '*') return '*';
  if (origin !== undefined && origins.includes(origin)) return origin;
  return undefined;
}

function applyCors(origins: readonly string[] | '*', request: FastifyRequest, reply: FastifyReply): boolean {
  const allowed = allowedOrigin(origins, request.headers.origin);
  if (origins !== '*') reply.header('vary', 'Origin');
  if (!allowed) return false;
  reply.header('access-control-allow-origin', allowed);
  reply.header('access-control-expose-headers', EXPOSED_HEADERS);
  return true;
}

/** Adds CORS headers to every response and answers preflights. */
export function registerCors(app: FastifyInstance, origins: readonly string[] | '*'): void {
  app.addHook('onRequest', async (request, reply) => {
    applyCors(origins, request, reply);
  });
  app.options('*', async (request, reply) => {
    if (request.headers.origin !== undefined && !allowedOrigin(origins, request.headers.origin)) return reply.code(HTTP_NO_CONTENT).send();
    reply.header('access-control-allow-methods', ALLOWED_METHODS);
    reply.header('access-control-allow-headers', request.headers['access-control-request-headers'] ?? '*');
    reply.header('access-control-max-age', String(PREFLIGHT_MAX_AGE_SECONDS));
    return reply.code(HTTP_NO_CONTENT).send();
  });
}
