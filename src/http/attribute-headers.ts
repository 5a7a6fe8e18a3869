/**
 * Blob attributes and quilt patch tags as response headers, as the reference's by-object-id and
 * quilt reads (docs/http-api.md §1.3): only keys in `--allowed-headers` (case-insensitive), or every
 * key with `--allow-quilt-patch-tags-in-response`; never overwriting a header already set; only
 * names that are header tokens and values that are legal header values.
 */

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9a-z-]+$/;
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
/**
 * Headers that frame or route the message: a tag may never set them, even when every tag is
 * allowed, or one stored quilt could break the response or the connection for its reader.
 */
const FRAMING_HEADERS = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'trailer', 'te', 'proxy-connection', 'set-cookie']);

export function attributeHeaders(attributes: Readonly<Record<string, string>>, allowed: readonly string[] | 'all'): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(attributes)) {
    const name = key.toLowerCase();
    const permitted = allowed === 'all' ? HEADER_NAME.test(name) && !FRAMING_HEADERS.has(name) : allowed.includes(name);
    if (permitted && HEADER_VALUE.test(value)) headers[name] = value;
  }
  return headers;
}
