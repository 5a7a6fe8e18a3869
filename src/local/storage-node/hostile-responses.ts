import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isIPv6, type Socket } from 'node:net';
import type { HostileKind, NodeFaults } from './node-faults.ts';

/**
 * A hostile node: every request, on any route, is answered with one misbehaviour a client of a real
 * network may meet (a broken node, a broken proxy in front of one, or an attacker). The kind is
 * picked per request with `Math.random`, unseeded on purpose: concurrent requests reach a node in no
 * fixed order, so a seed would not make a run reproducible; narrow `hostileKinds` to one kind for
 * that. The answers are written on the raw socket, since resets, truncation and drips are not
 * things a framework reply can express.
 */

/** Whatever a kind does, its connection is cut by then, so a client that never gives up cannot pin it. */
const HOSTILE_DEADLINE_MS = 30_000;
const HTTP_OK = 200;
const HTTP_NO_CONTENT = 204;
const HTTP_BAD_GATEWAY = 502;
const JSON_TYPE = 'application/json';
const OCTET_STREAM = 'application/octet-stream';

const MAX_RANDOM_BODY_BYTES = 4_096;
/** `truncated` promises this many bytes and sends half of them. */
const TRUNCATED_DECLARED_BYTES = 65_536;
/** `oversized` promises 4 GiB, far past any limit a client should have... */
const OVERSIZED_DECLARED_BYTES = 4 * 2 ** 30;
/** ...and streams junk until the client hangs up or this much is sent, one reused chunk at a time. */
const OVERSIZED_SENT_CAP_BYTES = 64 * 2 ** 20;
const OVERSIZED_CHUNK_BYTES = 65_536;
/** `slowDrip` sends a few bytes at once, then one per interval, and ends (complete) within the deadline. */
const DRIP_HEAD_BYTES = 8;
const DRIP_INTERVAL_MS = 250;
const DRIP_DURATION_MS = 20_000;
const WRONG_STATUSES = [200, 300, 404, 418, 500] as const;
const REDIRECT_STATUSES = [302, 307] as const;
/** Nothing listens on port 1 of loopback: a redirect there is a dead end. */
const DEAD_END_URL = 'http://127.0.0.1:1/';

/** Bodies no JSON parser accepts, each wrong in a different way. */
const MALFORMED_JSON = [
  '{"success":{"code":200,"data":{"signed":{"serializedMessage":"AAEC',
  '{"success":{"code":200,"data":[1,2,]}}',
  "{'success': {'code': 200, 'data': undefined}}",
  '{"success":{"code":200,"data":"stored"}}}',
];

/**
 * A real envelope whose data has the fields the node's JSON answers carry (confirmations, health,
 * blob status), each of the wrong type.
 */
const WRONG_TYPES_DATA = {
  signed: 'not an object',
  serializedMessage: 12_345,
  signature: ['AA=='],
  epoch: '1',
  publicKey: 42,
  nodeStatus: { active: true },
  uptime: 'forever',
  eventProgress: null,
  shardSummary: [],
  permanent: 7,
  deletable: 'yes',
};

const HTML_ERROR_PAGE =
  '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n' +
  '<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';

/** One hostile answer: the raw exchange, and timers that die with its connection. */
interface Exchange {
  readonly request: IncomingMessage;
  readonly response: ServerResponse;
  readonly socket: Socket;
  /** Runs `action` after `ms` unless the connection closed first; never keeps the process alive. */
  later(ms: number, action: () => void): void;
}

type Misbehaviour = (exchange: Exchange) => void;

const MISBEHAVIOURS: Record<HostileKind, Misbehaviour> = {
  malformedJson: (exchange) => send(exchange, HTTP_OK, JSON_TYPE, pick(MALFORMED_JSON)),
  null: (exchange) => send(exchange, HTTP_OK, JSON_TYPE, 'null'),
  wrongTypes: (exchange) => send(exchange, HTTP_OK, JSON_TYPE, JSON.stringify({ success: { code: HTTP_OK, data: WRONG_TYPES_DATA } })),
  garbageData: (exchange) => send(exchange, HTTP_OK, JSON_TYPE, garbageEnvelope()),
  htmlError: (exchange) => send(exchange, HTTP_BAD_GATEWAY, 'text/html', HTML_ERROR_PAGE),
  randomBytes: (exchange) => send(exchange, HTTP_OK, OCTET_STREAM, randomBody()),
  truncated,
  oversized,
  // A TLS socket's handle cannot send an RST (Node throws); there the connection is dropped without
  // close_notify instead, which a client meets as the same abrupt end. A true RST is HTTP-only.
  reset: ({ socket }) => ('encrypted' in socket ? socket.destroy() : socket.resetAndDestroy()),
  slowDrip,
  wrongStatus: (exchange) => send(exchange, pick(WRONG_STATUSES), 'text/plain', `¯\\_(ツ)_/¯ ${randomBody().toString('base64')}`),
  redirect,
  noContent: ({ response }) => {
    response.writeHead(HTTP_NO_CONTENT);
    response.end();
  },
};

/**
 * Answers every request with a misbehaviour while `faults().hostile` is on. Registered as the
 * first onRequest hook after the latency fault, so it also covers CORS preflights and unknown routes.
 */
export function registerHostileMode(app: FastifyInstance, faults: () => NodeFaults): void {
  // Callback-style, like the other hooks: an async one costs a promise per request.
  app.addHook('onRequest', (request, reply, done) => {
    const { hostile, hostileKinds } = faults();
    if (!hostile) {
      done();
      return;
    }
    const kind = pick(hostileKinds);
    request.log.debug({ kind }, 'hostile answer');
    // The exchange is ours from here: done() is never called, so no route runs.
    reply.hijack();
    const exchange = openExchange(request, reply);
    try {
      MISBEHAVIOURS[kind](exchange);
    } catch (error) {
      // The reply is hijacked, so Fastify's error handler cannot answer; a cut connection is hostile enough.
      request.log.warn({ err: error, kind }, 'hostile answer failed; closing the connection');
      exchange.socket.destroy();
    }
  });
}

/**
 * Wraps the raw exchange: socket errors are expected here (the client hangs up mid-drip, a reset
 * or truncation ends the socket under a pending write), so they are logged, never left unhandled;
 * every timer is unref'd and cleared when the connection or response closes, and the deadline
 * cuts the connection whatever the kind is doing.
 */
function openExchange(request: FastifyRequest, reply: FastifyReply): Exchange {
  const { raw } = request;
  const response = reply.raw;
  const socket = raw.socket;
  const timers = new Set<NodeJS.Timeout>();
  const onError = (error: Error): void => request.log.debug({ err: error }, 'hostile answer: connection error');
  const later = (ms: number, action: () => void): void => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      action();
    }, ms);
    timer.unref();
    timers.add(timer);
  };
  socket.on('error', onError);
  response.on('error', onError);
  // 'close' comes once the response is finished or its connection is gone, whichever is first.
  response.once('close', () => {
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
    socket.off('error', onError);
  });
  later(HOSTILE_DEADLINE_MS, () => socket.destroy());
  return { request: raw, response, socket, later };
}

function pick<T>(choices: readonly T[]): T {
  return choices[Math.floor(Math.random() * choices.length)];
}

function randomBody(): Buffer {
  return randomBytes(1 + Math.floor(Math.random() * MAX_RANDOM_BODY_BYTES));
}

/** A well-formed envelope whose base64 fields hold random bytes of random lengths. */
function garbageEnvelope(): string {
  const base64 = () => randomBytes(1 + Math.floor(Math.random() * 200)).toString('base64');
  return JSON.stringify({ success: { code: HTTP_OK, data: { signed: { serializedMessage: base64(), signature: base64() }, publicKey: base64() } } });
}

function send({ response }: Exchange, status: number, contentType: string, body: string | Buffer): void {
  response.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  response.end(body);
}

/** Promises TRUNCATED_DECLARED_BYTES, sends half, then closes the connection. */
function truncated({ response, socket }: Exchange): void {
  response.writeHead(HTTP_OK, { 'content-type': OCTET_STREAM, 'content-length': TRUNCATED_DECLARED_BYTES });
  response.write(randomBytes(TRUNCATED_DECLARED_BYTES / 2), () => socket.destroy());
}

/**
 * Promises 4 GiB and streams one reused chunk of junk as fast as the client reads it (waiting for
 * 'drain', so the node buffers at most a chunk), until the client hangs up or the cap is reached.
 */
function oversized({ response, socket }: Exchange): void {
  const chunk = randomBytes(OVERSIZED_CHUNK_BYTES);
  let sent = 0;
  const pump = (): void => {
    while (!response.destroyed) {
      if (sent >= OVERSIZED_SENT_CAP_BYTES) {
        socket.destroy();
        return;
      }
      sent += chunk.length;
      if (!response.write(chunk)) {
        response.once('drain', pump);
        return;
      }
    }
  };
  response.writeHead(HTTP_OK, { 'content-type': OCTET_STREAM, 'content-length': OVERSIZED_DECLARED_BYTES });
  pump();
}

/** A complete, valid JSON envelope, sent a byte at a time: DRIP_HEAD_BYTES at once, then one per interval. */
function slowDrip(exchange: Exchange): void {
  const { response } = exchange;
  const envelopeLength = DRIP_HEAD_BYTES + Math.floor(DRIP_DURATION_MS / DRIP_INTERVAL_MS);
  const prefix = '{"success":{"code":200,"data":"';
  const suffix = '"}}';
  const body = Buffer.from(prefix + 'x'.repeat(envelopeLength - prefix.length - suffix.length) + suffix);
  response.writeHead(HTTP_OK, { 'content-type': JSON_TYPE, 'content-length': body.length });
  response.write(body.subarray(0, DRIP_HEAD_BYTES));
  let offset = DRIP_HEAD_BYTES;
  const drip = (): void => {
    offset += 1;
    if (offset === body.length) response.end(body.subarray(offset - 1));
    else {
      response.write(body.subarray(offset - 1, offset));
      exchange.later(DRIP_INTERVAL_MS, drip);
    }
  };
  exchange.later(DRIP_INTERVAL_MS, drip);
}

/** 302 or 307, to this very URL on this node (a loop, as long as it stays hostile) or to a dead port. */
function redirect({ request, response, socket }: Exchange): void {
  const host = isIPv6(socket.localAddress ?? '') ? `[${socket.localAddress}]` : socket.localAddress;
  const location = pick([`http://${host}:${socket.localPort}${request.url ?? '/'}`, DEAD_END_URL]);
  response.writeHead(pick(REDIRECT_STATUSES), { location, 'content-length': 0 });
  response.end();
}
