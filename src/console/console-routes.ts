/**
 * The web console's routes: `GET`/`HEAD /` (the page) and `/console/{file}` (its scripts, styles and
 * icon). Every answer carries a Content-Security-Policy that allows nothing from outside the gateway
 * and no inline script or style (CSP Level 3), so the console works offline and an injected string
 * cannot run. Files are revalidated on each load (`no-cache` + ETag → 304): they are a few KiB, and
 * module imports between them carry no version in their URLs.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { RouteNotFoundError } from '../errors/gateway-errors.ts';
import { ifNoneMatchMatches } from '../http/etag.ts';
import { loadConsoleAssets, type ConsoleAsset, type ConsoleFeatures } from './console-assets.ts';

/** Previews load blobs from this origin; `blob:`/`data:` are left for images and media the page builds. */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "img-src 'self' blob: data:",
  "media-src 'self' blob:",
  "style-src 'self'",
  "script-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');
const CONSOLE_CACHE_CONTROL = 'no-cache';
const HTTP_NOT_MODIFIED = 304;

export type ConsoleOptions = ConsoleFeatures;

function send(request: FastifyRequest, reply: FastifyReply, asset: ConsoleAsset): FastifyReply {
  reply.header('content-security-policy', CONSOLE_CSP);
  reply.header('x-content-type-options', 'nosniff');
  reply.header('referrer-policy', 'no-referrer');
  reply.header('cache-control', CONSOLE_CACHE_CONTROL);
  reply.header('etag', asset.etag);
  const ifNoneMatch = request.headers['if-none-match'];
  if (ifNoneMatchMatches(Array.isArray(ifNoneMatch) ? ifNoneMatch.join(', ') : ifNoneMatch, asset.etag)) return reply.code(HTTP_NOT_MODIFIED).send();
  return reply.type(asset.contentType).send(asset.body);
}

/** Registers the console; the caller leaves it out under `--no-console`. */
export function registerConsoleRoutes(app: FastifyInstance, options: ConsoleOptions): void {
  const { page, files } = loadConsoleAssets(options);
  app.route({ method: ['GET', 'HEAD'], url: '/', handler: async (request, reply) => send(request, reply, page) });
  app.route<{ Params: { name: string } }>({
    method: ['GET', 'HEAD'],
    url: '/console/:name',
    handler: async (request, reply) => {
      const asset = files.get(request.params.name);
      if (!asset) throw new RouteNotFoundError(request.method, request.url);
      return send(request, reply, asset);
    },
  });
}
