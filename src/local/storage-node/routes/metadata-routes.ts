import type { FastifyInstance } from 'fastify';
import { metadataBcsLength } from '../../../codec/metadata.ts';
import { bodyBytes, HTTP_ACCEPTED, HTTP_CREATED, HTTP_OK, requireBcsContentType, sendBcs, sendSuccess } from '../api-envelope.ts';
import { routeErrorHandler } from '../error-response.ts';
import { parseBlobIdParam, parseBooleanQuery } from '../path-params.ts';
import type { StorageNodeService } from '../storage-node-service.ts';

/** Headroom over the exact BCS size, as the reference allows on sliver bodies (`server.rs` HEADROOM). */
export const BODY_HEADROOM = 128;

interface BlobParams {
  readonly blobId: string;
}

/**
 * GET/PUT `/v1/blobs/{blob_id}/metadata` and GET `…/metadata/status` (docs/protocol.md §4.2).
 * PUT takes BCS `BlobMetadata` (no blob ID); GET answers BCS `BlobMetadataWithId`.
 */
export function registerMetadataRoutes(app: FastifyInstance, service: StorageNodeService, nShards: number): void {
  app.get<{ Params: BlobParams }>('/v1/blobs/:blobId/metadata', async (request, reply) => {
    const blobId = parseBlobIdParam(request.params.blobId);
    return sendBcs(reply, await service.getMetadata(blobId));
  });

  app.put<{ Params: BlobParams; Querystring: Record<string, unknown> }>(
    '/v1/blobs/:blobId/metadata',
    {
      // The reference's `Bcs` extractor reports every body failure (size included) as a 400
      // INVALID_CONTENT_TYPE, unlike the raw-bytes sliver route's 413.
      bodyLimit: metadataBcsLength(nShards) + BODY_HEADROOM,
      errorHandler: routeErrorHandler(true),
    },
    async (request, reply) => {
      const blobId = parseBlobIdParam(request.params.blobId);
      const pending = parseBooleanQuery(request.query, 'pending');
      requireBcsContentType(request.headers['content-type']);
      const outcome = await service.storeMetadata(blobId, bodyBytes(request.body), pending);
      if (outcome === 'alreadyStored') return sendSuccess(reply, HTTP_OK, 'metadata already stored');
      // The reference answers 202 whenever `pending=true` was asked, even if the blob was registered.
      if (pending) return sendSuccess(reply, HTTP_ACCEPTED, 'metadata buffered pending registration');
      return sendSuccess(reply, HTTP_CREATED, 'metadata successfully stored');
    },
  );

  app.get<{ Params: BlobParams }>('/v1/blobs/:blobId/metadata/status', async (request, reply) => {
    const blobId = parseBlobIdParam(request.params.blobId);
    return sendSuccess(reply, HTTP_OK, await service.metadataStatus(blobId));
  });
}
