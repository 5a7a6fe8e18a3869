import type { FastifyInstance } from 'fastify';
import { NotImplementedError } from '../node-errors.ts';

/** Reference routes local nodes do not serve yet; each answers 501 (see README.md). */
const UNIMPLEMENTED_ROUTES = [
  { method: 'GET', url: '/v1/blobs/:blobId/recoverySymbols', what: 'recovery symbols' },
  { method: 'GET', url: '/v1/blobs/:blobId/decodingSymbols', what: 'decoding symbols' },
  { method: 'POST', url: '/v1/blobs/:blobId/inconsistencyProof/:sliverType', what: 'inconsistency proofs' },
  { method: 'POST', url: '/v1/migrate/sync_shard', what: 'shard sync' },
  { method: 'GET', url: '/v1/api', what: 'the OpenAPI page' },
] as const;

export function registerUnimplementedRoutes(app: FastifyInstance): void {
  for (const { method, url, what } of UNIMPLEMENTED_ROUTES) {
    app.route({
      method,
      url,
      handler: async () => {
        throw new NotImplementedError(what);
      },
    });
  }
}
