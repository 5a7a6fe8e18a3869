/**
 * 405 with `Allow` instead of a 404 for a path that some route serves with other methods
 * (RFC 9110 §15.5.6): clients and load balancers that probe with the wrong method learn what to
 * use. Routes are collected as they are registered and the request's path matched against them.
 */
import type { FastifyInstance } from 'fastify';
import { MethodNotAllowedError } from '../errors/gateway-errors.ts';

interface RoutePattern {
  readonly pattern: RegExp;
  readonly methods: Set<string>;
}

/** Fastify's route syntax (`/v1/blobs/:blobId`, a trailing `*`) as an anchored regular expression. */
function patternOf(url: string): RegExp {
  const source = url
    .split('/')
    .map((segment) => (segment.startsWith(':') ? '[^/]+' : segment === '*' ? '.*' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${source}$`);
}

export class RouteMethods {
  private readonly routes = new Map<string, RoutePattern>();

  add(url: string, methods: string | readonly string[]): void {
    // The catch-all OPTIONS route (CORS preflight) says nothing about the paths' own methods.
    if (url === '*') return;
    const entry = this.routes.get(url) ?? { pattern: patternOf(url), methods: new Set<string>() };
    for (const method of typeof methods === 'string' ? [methods] : methods) entry.methods.add(method.toUpperCase());
    this.routes.set(url, entry);
  }

  /** The methods some route serves at `path` (no query string), sorted; empty for an unknown path. */
  allowed(path: string): string[] {
    const methods = new Set<string>();
    for (const { pattern, methods: served } of this.routes.values()) if (pattern.test(path)) for (const method of served) methods.add(method);
    return [...methods].sort();
  }
}

/** Collects every route registered after this call; `check` throws 405 for a known path. */
export function trackRouteMethods(app: FastifyInstance): { check(method: string, url: string): void } {
  const routes = new RouteMethods();
  app.addHook('onRoute', (route) => routes.add(route.url, route.method));
  return {
    check(method, url) {
      const path = url.split('?')[0];
      const allowed = routes.allowed(path);
      if (allowed.length > 0 && !allowed.includes(method)) throw new MethodNotAllowedError(method, path, allowed);
    },
  };
}
