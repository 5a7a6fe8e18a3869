import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { errorBody } from '../../errors/error-body.ts';
import { InternalNodeError, InvalidContentTypeError, PayloadTooLargeError, PlainTextRejection, StorageNodeError } from './node-errors.ts';

/** Fastify's rejection of a body past the route's `bodyLimit`. */
const FASTIFY_BODY_TOO_LARGE = 'FST_ERR_CTP_BODY_TOO_LARGE';
const HTTP_CLIENT_ERROR_MIN = 400;
const HTTP_SERVER_ERROR_MIN = 500;

interface FrameworkError {
  readonly code?: unknown;
  readonly statusCode?: unknown;
  readonly message: string;
}

function isFrameworkError(error: unknown): error is FrameworkError {
  return error instanceof Error && typeof (error as FrameworkError).code === 'string';
}

/**
 * The one place that decides how an error is answered. `bcsBody` is true on routes whose body goes
 * through the reference's `Bcs` extractor (PUT metadata), which reports every body failure,
 * including its size limit, as INVALID_CONTENT_TYPE; the sliver route reads raw bytes, so its size
 * limit is axum's own 413.
 */
export function classifyError(error: unknown, bcsBody: boolean): StorageNodeError | PlainTextRejection {
  if (error instanceof StorageNodeError || error instanceof PlainTextRejection) return error;
  if (isFrameworkError(error)) {
    const status = typeof error.statusCode === 'number' ? error.statusCode : HTTP_SERVER_ERROR_MIN;
    if (bcsBody && status >= HTTP_CLIENT_ERROR_MIN && status < HTTP_SERVER_ERROR_MIN) {
      return new InvalidContentTypeError(`failed to read the request body: ${error.message}`);
    }
    if (error.code === FASTIFY_BODY_TOO_LARGE) return new PayloadTooLargeError();
    if (status >= HTTP_CLIENT_ERROR_MIN && status < HTTP_SERVER_ERROR_MIN) {
      // A client error raised by Fastify itself (bad framing, bad headers): plain text, as axum's.
      return new PlainTextRejection(String(error.code), status, error.message);
    }
  }
  return new InternalNodeError({ cause: error });
}

/** Sends a classified error: AIP-193 JSON for node errors, plain text for transport rejections. */
export function sendError(reply: FastifyReply, error: StorageNodeError | PlainTextRejection): FastifyReply {
  if (error instanceof PlainTextRejection) {
    reply.code(error.httpStatus);
    if (error.message === '') return reply.send();
    return reply.type('text/plain; charset=utf-8').send(error.message);
  }
  return reply
    .code(error.httpStatus)
    .type('application/json')
    .send(errorBody(error.status, error.message, { reason: error.reason, domain: error.domain }, error.httpStatus));
}

/** A Fastify error handler: classifies, logs what the client is not told (internal errors), answers. */
export function routeErrorHandler(bcsBody: boolean) {
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    const classified = classifyError(error, bcsBody);
    if (classified instanceof InternalNodeError) request.log.error({ err: error }, 'request failed');
    return sendError(reply, classified);
  };
}
