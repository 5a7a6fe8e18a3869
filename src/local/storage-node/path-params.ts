import { parseBlobId } from '../../codec/blob-id.ts';
import { InvalidBlobIdError } from '../../codec/errors.ts';
import type { SliverType } from '../../codec/sliver.ts';
import { OBJECT_ID_LENGTH } from '../../codec/confirmation.ts';
import { InvalidPathError, InvalidQueryError } from './node-errors.ts';

/** Path and query parsing with the reference's extractor rules (serde `FromStr` on each segment). */

const U16_MAX = 0xffff;
const DECIMAL = /^\+?\d{1,5}$/;
/** Sui `ObjectID::from_str`: a `0x` literal of 1–64 hex digits (left-padded), or exactly 64 digits. */
const OBJECT_ID_LITERAL = /^0x([0-9a-fA-F]{1,64})$/;
const OBJECT_ID_BARE = /^[0-9a-fA-F]{64}$/;

export function parseBlobIdParam(text: string): Uint8Array {
  try {
    return parseBlobId(text);
  } catch (error) {
    if (error instanceof InvalidBlobIdError) throw new InvalidPathError(`Cannot parse \`${text}\` as a blob ID`);
    throw error;
  }
}

/** A `SliverPairIndex` segment: a decimal u16. Range against n is checked by the service. */
export function parsePairIndexParam(text: string): number {
  const value = DECIMAL.test(text) ? Number(text) : Number.NaN;
  if (!(value <= U16_MAX)) throw new InvalidPathError(`Cannot parse \`${text}\` to a \`u16\``);
  return value;
}

export function parseSliverTypeParam(text: string): SliverType {
  if (text === 'primary' || text === 'secondary') return text;
  throw new InvalidPathError(`unknown variant \`${text}\`, expected \`primary\` or \`secondary\``);
}

export function parseObjectIdParam(text: string): Uint8Array {
  const hex = OBJECT_ID_LITERAL.exec(text)?.[1] ?? (OBJECT_ID_BARE.test(text) ? text : undefined);
  if (hex === undefined) throw new InvalidPathError(`Cannot parse \`${text}\` as an object ID`);
  return Uint8Array.from(Buffer.from(hex.padStart(OBJECT_ID_LENGTH * 2, '0'), 'hex'));
}

/** An optional boolean query flag (`pending`, `wait_for_registration`); serde accepts only these. */
export function parseBooleanQuery(query: Record<string, unknown>, name: string): boolean {
  const value = query[name];
  if (value === undefined) return false;
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new InvalidQueryError(`${name}: provided string was not \`true\` or \`false\``);
}
