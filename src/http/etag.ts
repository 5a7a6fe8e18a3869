/**
 * Entity tags (RFC 9110 §8.8.3) and `If-None-Match` (RFC 9110 §13.1.2). A blob ID names its
 * content, so it is a strong validator. The reference sends it unquoted; we quote it, as
 * RFC 9110 requires, so caches and browsers revalidate with it.
 */
import { createHash } from 'node:crypto';

export function blobEtag(blobId: string): string {
  return `"${blobId}"`;
}

/** The `/byte-range` route's ETag: the reference's `{blob_id}-{start}-{length}`, quoted. */
export function byteRangeEtag(blobId: string, start: number, length: number): string {
  return `"${blobId}-${start}-${length}"`;
}

/**
 * The concat route's ETag: the reference's unpadded base64url SHA-256 of the ID strings as the
 * request gave them, joined with `,` (so the same blobs named by object IDs get another tag), quoted.
 */
export function concatEtag(ids: readonly string[]): string {
  return `"${createHash('sha256').update(ids.join(',')).digest('base64url')}"`;
}

/** Opaque tags of a list header such as `If-None-Match`, with any `W/` prefix removed. */
function listedTags(header: string): string[] {
  return header
    .split(',')
    .map((tag) => tag.trim().replace(/^W\//, ''))
    .filter((tag) => tag.length > 0);
}

/**
 * Whether `If-None-Match` matches `etag` by weak comparison (§13.1.2): `*` matches any current
 * representation; an unquoted tag (as the reference's ETag) is accepted too, for old clients.
 */
export function ifNoneMatchMatches(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  const bare = etag.replace(/^"|"$/g, '');
  return listedTags(header).some((tag) => tag === '*' || tag === etag || tag === bare);
}
