/**
 * `POST /v1/blob-upload-relay` query parameters with the reference's names and encodings
 * (`crates/walrus-sdk/src/upload_relay/params.rs`, `deny_unknown_fields`): `blob_id` (required),
 * `tx_id` (base58 transaction digest), `nonce` (32 bytes, unpadded base64url),
 * `deletable_blob_object` (hex object ID), `encoding_type` (`RS2`). Anything else is refused.
 */
import { fromBase58 } from '@mysten/sui/utils';
import { parseBlobId } from '../codec/blob-id.ts';
import { InvalidBlobIdError } from '../codec/errors.ts';
import { InvalidRelayQueryError } from './relay-errors.ts';

const KNOWN = new Set(['blob_id', 'tx_id', 'nonce', 'deletable_blob_object', 'encoding_type']);
/** `NONCE_LEN` and Sui's digest length. */
export const NONCE_LENGTH = 32;
const DIGEST_BYTES = 32;
const BASE58 = /^[1-9A-HJ-NP-Za-km-z]{32,44}$/;
const NONCE_TEXT = /^[A-Za-z0-9_-]{43}$/;
const OBJECT_ID = /^(0x)?[0-9a-fA-F]{1,64}$/;
const OBJECT_ID_HEX_DIGITS = 64;
/** How much of a bad value an error message quotes. */
const QUOTE_CHARS = 80;

export interface RelayParams {
  readonly blobId: Uint8Array;
  readonly blobIdText: string;
  /** The tip transaction's digest, as given (base58). */
  readonly txId: string | undefined;
  readonly nonce: Uint8Array | undefined;
  /** `0x` + 64 lowercase hex digits; `undefined` for a permanent blob. */
  readonly deletableBlobObject: string | undefined;
}

type RawQuery = Record<string, string | string[] | undefined>;

function fail(field: string, why: string): never {
  throw new InvalidRelayQueryError(`Failed to deserialize query string: ${field}: ${why}`);
}

function quote(value: string): string {
  return JSON.stringify(value.slice(0, QUOTE_CHARS));
}

/** One value per parameter: serde refuses a repeated field. */
function single(query: RawQuery, name: string): string | undefined {
  const value = query[name];
  if (Array.isArray(value)) throw new InvalidRelayQueryError(`Failed to deserialize query string: duplicate field \`${name}\``);
  return value;
}

export function parseRelayQuery(query: RawQuery): RelayParams {
  for (const name of Object.keys(query)) {
    if (!KNOWN.has(name)) throw new InvalidRelayQueryError(`Failed to deserialize query string: unknown field \`${name.slice(0, QUOTE_CHARS)}\`, expected one of ${[...KNOWN].map((known) => `\`${known}\``).join(', ')}`);
  }
  const blobIdText = single(query, 'blob_id');
  if (blobIdText === undefined) throw new InvalidRelayQueryError('Failed to deserialize query string: missing field `blob_id`');
  let blobId: Uint8Array;
  try {
    blobId = parseBlobId(blobIdText);
  } catch (error) {
    if (!(error instanceof InvalidBlobIdError)) throw error;
    fail('blob_id', `${quote(blobIdText)} is not a blob ID (43 characters of unpadded base64url)`);
  }
  const encoding = single(query, 'encoding_type');
  if (encoding !== undefined && encoding !== 'RS2') fail('encoding_type', `unknown variant ${quote(encoding)}, expected \`RS2\``);
  return {
    blobId,
    blobIdText,
    txId: txId(single(query, 'tx_id')),
    nonce: nonce(single(query, 'nonce')),
    deletableBlobObject: objectId(single(query, 'deletable_blob_object')),
  };
}

function txId(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  if (!BASE58.test(text) || fromBase58(text).length !== DIGEST_BYTES) fail('tx_id', `${quote(text)} is not a transaction digest (base58 of ${DIGEST_BYTES} bytes)`);
  return text;
}

/** Exactly 32 bytes in canonical unpadded base64url (the reference's `URL_SAFE_NO_PAD` refuses stray trailing bits). */
function nonce(text: string | undefined): Uint8Array | undefined {
  if (text === undefined) return undefined;
  const bytes = NONCE_TEXT.test(text) ? Buffer.from(text, 'base64url') : undefined;
  if (bytes === undefined || bytes.length !== NONCE_LENGTH || bytes.toString('base64url') !== text) {
    fail('nonce', `${quote(text)} is not ${NONCE_LENGTH} bytes of unpadded base64url`);
  }
  return new Uint8Array(bytes);
}

/** With or without `0x`, any case, fewer than 64 digits zero-padded, as Sui's `ObjectID::from_str`. */
function objectId(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  if (!OBJECT_ID.test(text)) fail('deletable_blob_object', `${quote(text)} is not a Sui object ID`);
  return `0x${text.replace(/^0x/, '').toLowerCase().padStart(OBJECT_ID_HEX_DIGITS, '0')}`;
}
