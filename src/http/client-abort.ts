/**
 * An AbortSignal per request that fires when the client disconnects before the response is done
 * (fastify docs, Guides/Detecting-When-Clients-Abort): handed to every storage-node call so a
 * client that goes away stops its node traffic.
 */
import type { FastifyReply } from 'fastify';

export function clientAbortSignal(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) controller.abort(new Error('the client disconnected'));
  });
  return controller.signal;
}
