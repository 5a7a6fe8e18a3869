/**
 * Blob attributes and quilt patch tags as response headers, as the reference's by-object-id and
 * quilt reads (docs/http-api.md §1.3): only keys in `--allowed-headers` (case-insensitive), or every
 * key with `--allow-quilt-patch-tags-in-response` except the few no stored data may set; never
 * overwriting a header already set; only names that are header tokens and values that are legal
 * header values.
 */

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9a-z-]+$/;
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
/**
 * Headers a tag may never set, even when every tag is allowed: those that frame or route the
 * message (one stored quilt could break the response or the connection), and those that act on the
 * gateway's whole origin or its other responses (cookies, HSTS, site data, CORS, redirects, auth
 * challenges), which a quilt's author must not control for everyone else's content.
 */
const FORBIDDEN_HEADERS = new Set([
  'content-length',
  'content-range',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'upgrade',
  'trailer',
  'te',
  'proxy-connection',
  'set-cookie',
  'strict-transport-security',
  'clear-site-data',
  'alt-svc',
  'refresh',
  'location',
  'www-authenticate',
  'proxy-authenticate',
]);
const FORBIDDEN_PREFIXES = ['access-control-'];

export function attributeHeaders(attributes: Readonly<Record<string, string>>, allowed: readonly string[] | 'all'): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(attributes)) {
    const name = key.toLowerCase();
    const permitted = allowed === 'all' ? HEADER_NAME.test(name) && !FORBIDDEN_HEADERS.has(name) && !FORBIDDEN_PREFIXES.some((prefix) => name.startsWith(prefix)) : allowed.includes(name);
    if (permitted && HEADER_VALUE.test(value)) headers[name] = value;
  }
  return headers;
}
