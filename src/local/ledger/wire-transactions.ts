import { parseBlobId } from '../../codec/blob-id.ts';
import { DIGEST_LENGTH } from '../../codec/params.ts';
import { LedgerError } from './errors.ts';
import { isCanonicalObjectId } from './ids.ts';
import type { PostStore, TransactionCall } from './rules.ts';

/**
 * Ledger transactions on the wire. A client signs the UTF-8 JSON of a {@link TransactionPayloadJson}
 * as a Sui personal message and posts `{transaction: base64(bytes), signature}`. The sender, a
 * random nonce and an expiry are inside the signed bytes, so a captured request only ever
 * repeats its first outcome and stops working at its expiry.
 */
export const TRANSACTION_PAYLOAD_VERSION = 1;
export const MAX_NONCE_LENGTH = 128;
/** Blob attributes are a small key/value map; cap their total UTF-8 size. */
export const MAX_ATTRIBUTES_BYTES = 64 * 1024;
/**
 * Pure inputs ride along with any call, as in a Sui PTB, so a client can put bytes on record in a
 * transaction it signs (the upload relay's tip authentication). Sui caps a pure argument at 16 KiB.
 */
export const MAX_PURE_INPUTS = 16;
export const MAX_PURE_INPUT_BYTES = 16 * 1024;
const MAX_U32 = 0xffff_ffff;
const MAX_U64 = (1n << 64n) - 1n;

export interface SignedTransactionJson {
  /** base64 of the signed payload bytes. */
  readonly transaction: string;
  /** Sui serialized signature (flag ‖ signature ‖ public key, base64) over the personal message. */
  readonly signature: string;
}

export interface TransactionPayloadJson {
  readonly version: typeof TRANSACTION_PAYLOAD_VERSION;
  readonly sender: string;
  readonly nonce: string;
  readonly expiresAtMs: number;
  readonly call: TransactionCallJson;
  /** base64 of each pure input, in order; recorded with the transaction, not used by the call. */
  readonly pureInputs?: readonly string[];
}

export type PostStoreJson = PostStore;

export type TransactionCallJson =
  | {
      readonly kind: 'registerBlob';
      readonly blobId: string;
      /** base64, 32 bytes. */
      readonly rootHash: string;
      readonly size: number;
      readonly encodingType: number;
      readonly storageSize: number;
      readonly epochsAhead: number;
      readonly deletable: boolean;
      readonly attributes: Readonly<Record<string, string>>;
    }
  | {
      readonly kind: 'certifyBlob';
      readonly blobObjectId: string;
      /** base64 of the aggregate signature, the signers bitmap and the message. */
      readonly signature: string;
      readonly signersBitmap: string;
      readonly message: string;
      readonly postStore: PostStoreJson;
    }
  | { readonly kind: 'extendBlob'; readonly blobObjectId: string; readonly extendedEpochs: number }
  | { readonly kind: 'deleteBlob'; readonly blobObjectId: string }
  /** `amount` is FROST as a decimal string. */
  | { readonly kind: 'transferWal'; readonly recipient: string; readonly amount: string };

export interface ParsedTransaction {
  readonly sender: string;
  readonly nonce: string;
  readonly expiresAtMs: number;
  readonly call: TransactionCall;
  readonly pureInputs: readonly Uint8Array[];
}

/** Parses and checks the shape of signed payload bytes; throws `INVALID_TRANSACTION`. */
export function parseTransactionPayload(bytes: Uint8Array): ParsedTransaction {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (error) {
    throw invalid(`the transaction is not JSON: ${(error as Error).message}`);
  }
  const payload = new Fields(json, 'transaction');
  if (payload.value('version') !== TRANSACTION_PAYLOAD_VERSION) throw invalid(`transaction.version must be ${TRANSACTION_PAYLOAD_VERSION}`);
  const nonce = payload.string('nonce');
  if (nonce.length === 0 || nonce.length > MAX_NONCE_LENGTH) throw invalid(`transaction.nonce must have 1 to ${MAX_NONCE_LENGTH} characters`);
  return {
    sender: payload.objectId('sender'),
    nonce,
    expiresAtMs: payload.safeInteger('expiresAtMs'),
    call: parseCall(payload.fields('call')),
    pureInputs: parsePureInputs(payload),
  };
}

function parsePureInputs(payload: Fields): Uint8Array[] {
  const value = payload.value('pureInputs');
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.length > MAX_PURE_INPUTS) throw invalid(`transaction.pureInputs must be an array of at most ${MAX_PURE_INPUTS} base64 strings`);
  return value.map((entry: unknown, i) => {
    const bytes = typeof entry === 'string' ? canonicalBase64(entry) : undefined;
    if (bytes === undefined || bytes.length > MAX_PURE_INPUT_BYTES) throw invalid(`transaction.pureInputs[${i}] must be canonical padded base64 of at most ${MAX_PURE_INPUT_BYTES} bytes`);
    return bytes;
  });
}

/** The bytes of canonical padded base64, or `undefined`: one spelling per value, so signed bytes never differ for equal inputs. */
function canonicalBase64(text: string): Uint8Array | undefined {
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? new Uint8Array(bytes) : undefined;
}

function parseCall(call: Fields): TransactionCall {
  const kind = call.string('kind');
  switch (kind) {
    case 'registerBlob': {
      const blobIdText = call.string('blobId');
      try {
        parseBlobId(blobIdText);
      } catch (error) {
        throw invalid(`call.blobId: ${(error as Error).message}`);
      }
      const rootHash = call.base64('rootHash');
      if (rootHash.length !== DIGEST_LENGTH) throw invalid(`call.rootHash must be ${DIGEST_LENGTH} bytes`);
      return {
        kind,
        blobId: blobIdText,
        rootHash,
        size: call.safeInteger('size'),
        encodingType: call.integer('encodingType', 0xff),
        storageSize: call.safeInteger('storageSize'),
        epochsAhead: call.integer('epochsAhead', MAX_U32),
        deletable: call.boolean('deletable'),
        attributes: parseAttributes(call.value('attributes')),
      };
    }
    case 'certifyBlob':
      return {
        kind,
        blobObjectId: call.objectId('blobObjectId'),
        certificate: { signature: call.base64('signature'), signersBitmap: call.base64('signersBitmap'), message: call.base64('message') },
        postStore: parsePostStore(call.fields('postStore')),
      };
    case 'extendBlob':
      return { kind, blobObjectId: call.objectId('blobObjectId'), extendedEpochs: call.integer('extendedEpochs', MAX_U32) };
    case 'deleteBlob':
      return { kind, blobObjectId: call.objectId('blobObjectId') };
    case 'transferWal':
      return { kind, recipient: call.objectId('recipient'), amount: call.u64('amount') };
    default:
      throw invalid(`call.kind ${JSON.stringify(kind)} is not a ledger call`);
  }
}

function parsePostStore(postStore: Fields): PostStore {
  const kind = postStore.string('kind');
  if (kind === 'keep' || kind === 'share') return { kind };
  if (kind === 'transfer') return { kind, recipient: postStore.objectId('recipient') };
  throw invalid(`postStore.kind ${JSON.stringify(kind)} is not keep, transfer or share`);
}

function parseAttributes(value: unknown): Record<string, string> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw invalid('call.attributes must be an object of strings');
  let bytes = 0;
  const attributes: Record<string, string> = {};
  for (const [key, entry] of Object.entries(value)) {
    if (typeof entry !== 'string') throw invalid(`call.attributes.${key} must be a string`);
    bytes += Buffer.byteLength(key) + Buffer.byteLength(entry);
    attributes[key] = entry;
  }
  if (bytes > MAX_ATTRIBUTES_BYTES) throw invalid(`call.attributes exceed ${MAX_ATTRIBUTES_BYTES} bytes`);
  return attributes;
}

function invalid(message: string): LedgerError {
  return new LedgerError('INVALID_TRANSACTION', message);
}

/** Typed access to the fields of a JSON object, naming the path of whatever is wrong. */
class Fields {
  private readonly object: Record<string, unknown>;

  constructor(
    value: unknown,
    private readonly path: string,
  ) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw invalid(`${path} must be an object`);
    this.object = value as Record<string, unknown>;
  }

  value(name: string): unknown {
    return this.object[name];
  }

  fields(name: string): Fields {
    return new Fields(this.object[name], `${this.path}.${name}`);
  }

  string(name: string): string {
    const value = this.object[name];
    if (typeof value !== 'string') throw invalid(`${this.path}.${name} must be a string`);
    return value;
  }

  boolean(name: string): boolean {
    const value = this.object[name];
    if (typeof value !== 'boolean') throw invalid(`${this.path}.${name} must be a boolean`);
    return value;
  }

  integer(name: string, max: number): number {
    const value = this.object[name];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) throw invalid(`${this.path}.${name} must be an integer from 0 to ${max}`);
    return value;
  }

  safeInteger(name: string): number {
    return this.integer(name, Number.MAX_SAFE_INTEGER);
  }

  /** A u64 written as a decimal string. */
  u64(name: string): bigint {
    const value = this.string(name);
    if (!/^(0|[1-9][0-9]{0,19})$/.test(value) || BigInt(value) > MAX_U64) throw invalid(`${this.path}.${name} must be a u64 decimal string`);
    return BigInt(value);
  }

  objectId(name: string): string {
    const value = this.string(name);
    if (!isCanonicalObjectId(value)) throw invalid(`${this.path}.${name} must be 0x + 64 lowercase hex digits`);
    return value;
  }

  base64(name: string): Uint8Array {
    const bytes = canonicalBase64(this.string(name));
    if (bytes === undefined) throw invalid(`${this.path}.${name} must be canonical padded base64`);
    return bytes;
  }
}
