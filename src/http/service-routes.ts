/**
 * Routes every mode serves (docs/http-api.md §1.8): `GET /status` (plain `OK`, outside load
 * shedding) and `GET /v1/api` (the OpenAPI spec in a Redoc page, as the reference); plus, for an
 * app built in publisher or daemon mode without a publisher, the store routes answering 501.
 */
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { NotImplementedError } from '../errors/gateway-errors.ts';

const OPENAPI_PATH = new URL('../../openapi.yaml', import.meta.url);
const REDOC_SCRIPT = 'https://cdn.redoc.ly/redoc/v2.1.5/bundles/redoc.standalone.js';

function escapeScript(text: string): string {
  return text.replace(/<\/script/gi, '<\\/script');
}

/** The Redoc page with the spec embedded, so it renders without another request to us. */
export function apiDocsPage(specYaml: string): string {
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>walrus-gateway API</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><div id="redoc"></div>
<script id="openapi-spec" type="text/yaml">${escapeScript(specYaml)}</script>
<noscript><pre>${specYaml.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</pre></noscript>
<script src="${REDOC_SCRIPT}"></script>
<script type="module">
import { parse } from 'https://cdn.jsdelivr.net/npm/yaml@2.5.0/browser/index.js';
Redoc.init(parse(document.getElementById('openapi-spec').textContent), {}, document.getElementById('redoc'));
</script></body></html>`;
}

export function registerServiceRoutes(app: FastifyInstance): void {
  const page = apiDocsPage(readFileSync(OPENAPI_PATH, 'utf8'));
  // HEAD too: load balancers and uptime monitors probe with it (Node sends the headers only).
  app.route({ method: ['GET', 'HEAD'], url: '/status', handler: async (_request, reply) => reply.type('text/plain; charset=utf-8').send('OK') });
  app.route({ method: ['GET', 'HEAD'], url: '/v1/api', handler: async (_request, reply) => reply.type('text/html; charset=utf-8').send(page) });
}

/** Publisher or daemon mode without a publisher (a read-only app): the store routes say so plainly. */
export function registerPublisherPlaceholders(app: FastifyInstance): void {
  void app.register(async (scope) => {
    // Accept any body type without reading it: the answer does not depend on it.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));
    scope.put('/v1/blobs', async () => {
      throw new NotImplementedError('PUT /v1/blobs (this app was built without a publisher)');
    });
    scope.put('/v1/quilts', async () => {
      throw new NotImplementedError('PUT /v1/quilts (this app was built without a publisher)');
    });
  });
}
