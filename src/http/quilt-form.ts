/**
 * The `PUT /v1/quilts` body (docs/http-api.md §1.6): `multipart/form-data` where every part's
 * field name is a patch identifier and its content the patch, except `_metadata`, a JSON array of
 * `{"identifier", "tags": {…}}`. Parsed as it streams (by @fastify/multipart), under one limit on
 * the whole body and the same slow-body rules as `PUT /v1/blobs`; every file is held once, in one
 * buffer. Checked before anything is encoded or paid for.
 */
import type { FastifyRequest } from 'fastify';
import type { Multipart } from '@fastify/multipart';
import { MAX_QUILT_IDENTIFIER_BYTES, type QuiltInput } from '../codec/quilt.ts';
import type { BodyTimeouts } from '../config.ts';
import { MalformedRequestError, UnsupportedMediaTypeError } from '../errors/gateway-errors.ts';
import { BodyWatch, checkDeclaredLength } from './raw-body.ts';

export const MULTIPART_FORM = 'multipart/form-data';
/** The reference's name of the metadata field (`WALRUS_NATIVE_METADATA_FIELD_NAME`). */
export const METADATA_FIELD = '_metadata';
/** More parts than a quilt can ever hold patches (one column each, at most 65 535 shards), plus metadata. */
const MAX_PARTS = 65_536;
/** Part headers are small; a part that sends more is not a form we want. */
const MAX_HEADER_PAIRS = 64;

export interface QuiltFormOptions {
  /** Bytes of the whole body, multipart framing included. */
  readonly limit: number;
  readonly timeouts: BodyTimeouts;
}

interface MetadataEntry {
  readonly identifier: string;
  readonly tags: Record<string, string>;
}

function malformed(message: string): MalformedRequestError {
  return new MalformedRequestError(`failed to parse multipart form: ${message}`);
}

/**
 * `_metadata` as the reference reads it: an array of objects with a string `identifier` and an
 * optional `tags` object whose non-string values are kept as their JSON text.
 */
function parseMetadata(value: unknown): MetadataEntry[] {
  let json = value;
  if (typeof value === 'string') {
    try {
      json = JSON.parse(value);
    } catch (error) {
      throw malformed(`${METADATA_FIELD} is not valid JSON: ${(error as Error).message}`);
    }
  }
  if (!Array.isArray(json)) throw malformed(`${METADATA_FIELD} must be a JSON array of {"identifier", "tags"}`);
  return json.map((entry: unknown, i) => {
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) throw malformed(`${METADATA_FIELD}[${i}] must be an object`);
    const { identifier, tags } = entry as { identifier?: unknown; tags?: unknown };
    if (typeof identifier !== 'string') throw malformed(`${METADATA_FIELD}[${i}].identifier must be a string`);
    if (tags !== undefined && (tags === null || typeof tags !== 'object' || Array.isArray(tags))) throw malformed(`${METADATA_FIELD}[${i}].tags must be an object`);
    const text: Record<string, string> = {};
    for (const [key, tag] of Object.entries((tags ?? {}) as Record<string, unknown>)) text[key] = typeof tag === 'string' ? tag : JSON.stringify(tag);
    return { identifier, tags: text };
  });
}

/**
 * Reads a part's content whole; a text field (`-F name=value`) counts as a file with those bytes,
 * as in the reference. Chunks are joined once at the end, at the exact size: a form of thousands of
 * small records must not hold a growing buffer's slack per record. The body watch bounds the total.
 */
async function partBytes(part: Multipart): Promise<Uint8Array> {
  if (part.type === 'field') {
    const { value } = part;
    return new TextEncoder().encode(typeof value === 'string' ? value : JSON.stringify(value));
  }
  const chunks: Buffer[] = [];
  for await (const chunk of part.file) chunks.push(chunk as Buffer);
  return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
}

/**
 * The form's files as quilt inputs, tags joined from `_metadata`. Refused with 400: a malformed
 * form, no files, `_metadata` that is not an array of entries, lists an identifier twice or names
 * one no file has; 413 past the limit; 408 too slow; 499 when the client leaves.
 */
export async function readQuiltForm(request: FastifyRequest, options: QuiltFormOptions): Promise<QuiltInput[]> {
  checkDeclaredLength(request.raw, options.limit);
  if (!request.isMultipart()) throw new UnsupportedMediaTypeError(request.headers['content-type'], MULTIPART_FORM);
  let failure: Error | undefined;
  let current: Multipart | undefined;
  let rejectWait: ((error: Error) => void) | undefined;
  const watch = new BodyWatch(request.raw, options, (error) => {
    failure = error;
    // Wake whatever waits: a part being read fails at once, a wait for the next part below.
    if (current?.type === 'file') current.file.destroy(error);
    rejectWait?.(error);
  });
  const files: { identifier: string; contents: Uint8Array }[] = [];
  const metadata = new Map<string, MetadataEntry>();
  try {
    const parts = request.parts({
      // Busboy cuts longer names silently; one byte past the format's limit lets the encoder refuse
      // them by name instead of storing a patch under a truncated identifier.
      limits: { fieldNameSize: MAX_QUILT_IDENTIFIER_BYTES + 1, fieldSize: options.limit, fileSize: options.limit, parts: MAX_PARTS, headerPairs: MAX_HEADER_PAIRS },
    });
    for (;;) {
      const next = parts.next();
      // Nobody may be left to hear a rejection once we stop waiting for this part.
      next.catch(() => undefined);
      const step = await Promise.race([next, new Promise<never>((_, reject) => (rejectWait = reject))]);
      if (step.done) break;
      current = step.value;
      const bytes = await partBytes(current).catch((error: unknown) => {
        throw failure ?? error;
      });
      const name = current.fieldname;
      current = undefined;
      if (name === METADATA_FIELD) {
        for (const entry of parseMetadata(new TextDecoder().decode(bytes))) {
          if (metadata.has(entry.identifier)) throw malformed(`duplicate identifiers found in ${METADATA_FIELD}: ${JSON.stringify(entry.identifier)}`);
          metadata.set(entry.identifier, entry);
        }
      } else {
        files.push({ identifier: name, contents: bytes });
      }
    }
  } catch (error) {
    throw failure ?? error;
  } finally {
    watch.stop();
  }
  if (failure) throw failure;
  if (files.length === 0) throw new MalformedRequestError('no files provided in multipart form');
  const identifiers = new Set(files.map((file) => file.identifier));
  // The reference ignores metadata for an identifier no file has; a typo would silently lose tags.
  for (const identifier of metadata.keys()) {
    if (!identifiers.has(identifier)) throw malformed(`${METADATA_FIELD} names ${JSON.stringify(identifier)}, which no file in the form has`);
  }
  return files.map(({ identifier, contents }) => ({ identifier, contents, tags: metadata.get(identifier)?.tags ?? {} }));
}
