import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Persistence } from '../../../codec/confirmation.ts';
import { HTTP_OK, sendSuccess } from '../api-envelope.ts';
import type { NodeFaults } from '../node-faults.ts';
import { InvalidQueryError } from '../node-errors.ts';
import { parseBlobIdParam, parseBooleanQuery, parseObjectIdParam } from '../path-params.ts';
import type { StorageNodeService } from '../storage-node-service.ts';

const U64_DECIMAL = /^\d{1,20}$/;

/**
 * `?wait_for_registration=true&wait_millis=N` long-polls only when the node has buffered uploads
 * for the blob (`wait_for_registration_inner`); local nodes buffer nothing, so the flags are
 * checked for syntax and the answer is immediate, as a reference node's is in that case.
 */
function checkWaitQuery(query: Record<string, unknown>): void {
  parseBooleanQuery(query, 'wait_for_registration');
  const waitMillis = query.wait_millis;
  if (waitMillis !== undefined && !(typeof waitMillis === 'string' && U64_DECIMAL.test(waitMillis))) {
    throw new InvalidQueryError('wait_millis: invalid digit found in string');
  }
}

/** Never answers: the request stays open until the client gives up or the node stops. */
function withhold(reply: FastifyReply): FastifyReply {
  reply.hijack();
  return reply;
}

/**
 * GET `/v1/blobs/{blob_id}/confirmation/permanent` and `…/confirmation/deletable/{object_id}`:
 * JSON `{success: {code: 200, data: {signed: {serializedMessage, signature}}}}`.
 */
export function registerConfirmationRoutes(app: FastifyInstance, service: StorageNodeService, faults: () => NodeFaults): void {
  async function confirm(request: FastifyRequest, reply: FastifyReply, params: { blobId: string; objectId?: string }) {
    const blobId = parseBlobIdParam(params.blobId);
    const persistence: Persistence =
      params.objectId === undefined ? { kind: 'permanent' } : { kind: 'deletable', objectId: parseObjectIdParam(params.objectId) };
    checkWaitQuery(request.query as Record<string, unknown>);
    if (faults().withholdConfirmations) return withhold(reply);
    return sendSuccess(reply, HTTP_OK, await service.confirmation(blobId, persistence));
  }

  app.get<{ Params: { blobId: string } }>('/v1/blobs/:blobId/confirmation/permanent', (request, reply) =>
    confirm(request, reply, request.params),
  );
  app.get<{ Params: { blobId: string; objectId: string } }>('/v1/blobs/:blobId/confirmation/deletable/:objectId', (request, reply) =>
    confirm(request, reply, request.params),
  );
}
