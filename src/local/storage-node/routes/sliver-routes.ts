import type { FastifyInstance } from 'fastify';
import { EncodingParams, MAX_SYMBOL_SIZE } from '../../../codec/params.ts';
import { bodyBytes, HTTP_ACCEPTED, HTTP_CREATED, HTTP_OK, sendBcs, sendSuccess } from '../api-envelope.ts';
import { parseBlobIdParam, parsePairIndexParam, parseBooleanQuery, parseSliverTypeParam } from '../path-params.ts';
import type { StorageNodeService } from '../storage-node-service.ts';
import { BODY_HEADROOM } from './metadata-routes.ts';

interface SliverParams {
  readonly blobId: string;
  readonly pairIndex: string;
  readonly sliverType: string;
}

function parseSliverParams(params: SliverParams) {
  return {
    blobId: parseBlobIdParam(params.blobId),
    pairIndex: parsePairIndexParam(params.pairIndex),
    type: parseSliverTypeParam(params.sliverType),
  };
}

/** The reference's sliver body limit: the largest primary sliver, s·65534 bytes, plus headroom. */
export function sliverBodyLimit(nShards: number): number {
  return EncodingParams.forShards(nShards).primarySliverSize(MAX_SYMBOL_SIZE) + BODY_HEADROOM;
}

/**
 * GET/PUT `/v1/blobs/{blob_id}/slivers/{pair}/{primary|secondary}` and GET `…/status`. Both
 * sliver types are addressed by pair index; the body is bare BCS `SliverData`.
 */
export function registerSliverRoutes(app: FastifyInstance, service: StorageNodeService, nShards: number): void {
  const sliverPath = '/v1/blobs/:blobId/slivers/:pairIndex/:sliverType';

  app.get<{ Params: SliverParams }>(sliverPath, async (request, reply) => {
    const { blobId, pairIndex, type } = parseSliverParams(request.params);
    return sendBcs(reply, await service.getSliver(blobId, pairIndex, type));
  });

  // The reference reads this body as raw bytes, not through its `Bcs` extractor: it does not
  // check the Content-Type, and its body limit answers axum's plain-text 413.
  app.put<{ Params: SliverParams; Querystring: Record<string, unknown> }>(
    sliverPath,
    { bodyLimit: sliverBodyLimit(nShards) },
    async (request, reply) => {
      const { blobId, pairIndex, type } = parseSliverParams(request.params);
      const pending = parseBooleanQuery(request.query, 'pending');
      const outcome = await service.storeSliver(blobId, pairIndex, type, bodyBytes(request.body), pending);
      if (outcome === 'alreadyStored') return sendSuccess(reply, HTTP_OK, 'sliver already stored');
      if (pending) return sendSuccess(reply, HTTP_ACCEPTED, 'sliver buffered pending registration');
      return sendSuccess(reply, HTTP_CREATED, 'sliver stored successfully');
    },
  );

  app.get<{ Params: SliverParams }>(`${sliverPath}/status`, async (request, reply) => {
    const { blobId, pairIndex, type } = parseSliverParams(request.params);
    return sendSuccess(reply, HTTP_OK, await service.sliverStatus(blobId, pairIndex, type));
  });
}
