/**
 * `Cache-Control` (RFC 9111 §5.2.2). Successful reads get the operator's value (default as the
 * reference). Errors are cached at most a few seconds, so a CDN does not hide a blob certified
 * just after a 404 (docs/http-api.md §2.7, reference PR #3409); transient errors are not cached.
 */

/** The value for an error response of `statusCode`. */
export function errorCacheControl(statusCode: number, maxSeconds: number): string {
  if (statusCode >= 500 || statusCode === 429 || maxSeconds === 0) return 'no-store';
  return `public, max-age=${maxSeconds}`;
}
