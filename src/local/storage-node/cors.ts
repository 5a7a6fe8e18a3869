import type { FastifyInstance } from 'fastify';

/**
 * CORS fully open, as reference nodes are (`server.rs` `cors_layer`: any origin, method, header),
 * so browser clients such as the TS SDK can talk to local nodes.
 */
const ANY = '*';
const HTTP_OK = 200;

export function registerOpenCors(app: FastifyInstance): void {
  // Callback-style hooks: an async one costs a promise per request, and a node takes hundreds per blob.
  app.addHook('onRequest', (request, reply, done) => {
    if (request.headers.origin !== undefined) reply.header('access-control-allow-origin', ANY);
    done();
  });
  app.options('/*', async (request, reply) => {
    if (request.headers['access-control-request-method'] !== undefined) {
      reply.header('access-control-allow-methods', ANY).header('access-control-allow-headers', ANY);
    }
    return reply.code(HTTP_OK).send();
  });
}
