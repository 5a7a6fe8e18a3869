/**
 * Blob attributes as response headers, as the reference's by-object-id reads
 * (docs/http-api.md §1.3): only keys in `--allowed-headers` (case-insensitive), never overwriting
 * a header already set, and only values that are legal header values.
 */

const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

export function attributeHeaders(attributes: Readonly<Record<string, string>>, allowed: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(attributes)) {
    const name = key.toLowerCase();
    if (allowed.includes(name) && HEADER_VALUE.test(value)) headers[name] = value;
  }
  return headers;
}
