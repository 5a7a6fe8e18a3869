/**
 * One AbortSignal per request that fires when the client disconnects before the response is done
 * (fastify docs, Guides/Detecting-When-Clients-Abort), with `ClientDisconnectedError` as its reason:
 * handed to every storage-node call so a client that goes away stops its node traffic. It is made
 * in the first `onRequest` hook, so a client that leaves while its request waits (for example in
 * the load shedder's queue) still aborts it; one made later checks whether the client has gone.
 */
import type { ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { ClientDisconnectedError } from '../errors/gateway-errors.ts';

/** Keyed by the raw response so nothing is added to Fastify's request type. */
const controllers = new WeakMap<ServerResponse, AbortController>();

/**
 * Whether the client of `response` is gone while the response is unfinished. Asked of the
 * request's socket: a pipelined request's response has no socket until the ones before it are done.
 */
export function clientGone(response: ServerResponse): boolean {
  if (response.writableFinished) return false;
  return response.destroyed || response.req.socket.destroyed;
}

function track(response: ServerResponse): AbortController {
  const controller = new AbortController();
  controllers.set(response, controller);
  const check = () => {
    if (!controller.signal.aborted && clientGone(response)) controller.abort(new ClientDisconnectedError());
  };
  // 'close' already fired if the socket went before this call; it will not fire again. A queued
  // pipelined request hears of its socket closing through the request, not the response.
  check();
  if (!controller.signal.aborted) {
    response.once('close', check);
    response.req.once('close', check);
  }
  return controller;
}

/** The request's client-abort signal; the same signal however often it is asked for. */
export function clientAbortSignal(reply: FastifyReply): AbortSignal {
  return (controllers.get(reply.raw) ?? track(reply.raw)).signal;
}

/** Makes the signal for every request before any other hook can make it wait. */
export function registerClientAbort(app: FastifyInstance): void {
  app.addHook('onRequest', async (_request, reply) => {
    clientAbortSignal(reply);
  });
}
