/**
 * `Range: bytes=…` (RFC 9110 §14.1.2) and `If-Range` (§13.1.5). Every single-range form is served:
 * `a-b`, `a-` and `-n` (the reference accepts only `a-b`, which breaks `<video>` seeking). A header
 * that does not parse, or asks for several ranges, is ignored and the whole blob is sent, as §14.2
 * allows; a syntactically valid range that misses the blob is 416.
 */

export type RangeRequest =
  | { readonly kind: 'none' }
  | { readonly kind: 'range'; readonly start: number; /** exclusive */ readonly end: number }
  | { readonly kind: 'unsatisfiable' };

const SINGLE_RANGE = /^bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i;

/** Resolves a `Range` header against a blob of `size` bytes. */
export function parseRange(header: string | undefined, size: number): RangeRequest {
  if (header === undefined) return { kind: 'none' };
  const match = SINGLE_RANGE.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return { kind: 'none' };
  const [first, last] = [match[1], match[2]];
  if (!Number.isSafeInteger(Number(first || 0)) || !Number.isSafeInteger(Number(last || 0))) return { kind: 'none' };
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'range', start: Math.max(0, size - suffix), end: size };
  }
  const start = Number(first);
  if (last !== '' && Number(last) < start) return { kind: 'none' };
  if (start >= size) return { kind: 'unsatisfiable' };
  const end = last === '' ? size : Math.min(Number(last) + 1, size);
  return { kind: 'range', start, end };
}

/** `If-Range` with a strong ETag: the range applies only while the tag still matches (§13.1.5). */
export function ifRangeAllows(header: string | undefined, etag: string): boolean {
  if (header === undefined) return true;
  return header.trim() === etag;
}

export function contentRange(start: number, end: number, size: number): string {
  return `bytes ${start}-${end - 1}/${size}`;
}
