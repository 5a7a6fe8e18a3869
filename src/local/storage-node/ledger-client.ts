import { normalizeSuiObjectId } from '@mysten/sui/utils';
import { Pool } from 'undici';
import type { NetworkDescription, StorageNodeDescription } from '../network-description.ts';

/**
 * The two ledger routes a storage node reads chain state from:
 * `GET /v1/network` (the committee and epoch) and `GET /v1/blob-ids/{id}` (a blob's status and live
 * registrations). Responses are validated here so the rest of the node works with typed values.
 */

type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** `BlobStatus` exactly as storage nodes serve it (docs/protocol.md §4.5); relayed untouched. */
export type BlobStatusJson =
  | 'nonexistent'
  | { readonly invalid: JsonValue }
  | { readonly permanent: JsonValue }
  | { readonly deletable: JsonValue };

/** One live (not deleted, not expired) Blob object registered for a blob ID. */
export interface BlobRegistration {
  /** `0x` + 64 lowercase hex digits. */
  readonly objectId: string;
  readonly deletable: boolean;
  readonly registeredEpoch: number;
  readonly certifiedEpoch: number | null;
  readonly endEpoch: number;
}

export interface LedgerBlobState {
  readonly status: BlobStatusJson;
  readonly registrations: readonly BlobRegistration[];
}

/** The ledger did not answer, or answered something that is not the contract. */
export class LedgerUnavailableError extends Error {
  readonly code = 'LEDGER_UNAVAILABLE';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'LedgerUnavailableError';
  }
}

const HTTP_OK = 200;
const HTTP_NOT_FOUND = 404;
const LEDGER_CONNECTIONS = 8;
const BLOB_STATUS_VARIANTS = ['invalid', 'permanent', 'deletable'] as const;
const NONEXISTENT: LedgerBlobState = { status: 'nonexistent', registrations: [] };

export interface LedgerClientOptions {
  readonly ledgerUrl: string;
  /** Per-request timeout. */
  readonly timeoutMs: number;
}

export class LedgerClient {
  private readonly pool: Pool;
  private readonly pathPrefix: string;
  private readonly timeoutMs: number;

  constructor({ ledgerUrl, timeoutMs }: LedgerClientOptions) {
    const url = new URL(ledgerUrl);
    this.pool = new Pool(url.origin, { connections: LEDGER_CONNECTIONS });
    this.pathPrefix = url.pathname.replace(/\/+$/, '');
    this.timeoutMs = timeoutMs;
  }

  async network(): Promise<NetworkDescription> {
    const { statusCode, json } = await this.get('/v1/network');
    if (statusCode !== HTTP_OK) throw new LedgerUnavailableError(`GET /v1/network answered ${statusCode}`);
    return parseNetwork(json);
  }

  async blobState(blobIdText: string): Promise<LedgerBlobState> {
    const { statusCode, json } = await this.get(`/v1/blob-ids/${blobIdText}`);
    // A ledger that has never seen the ID may say 404: that is a blob with no registration.
    if (statusCode === HTTP_NOT_FOUND) return NONEXISTENT;
    if (statusCode !== HTTP_OK) throw new LedgerUnavailableError(`GET /v1/blob-ids/${blobIdText} answered ${statusCode}`);
    return parseBlobState(json);
  }

  async close(): Promise<void> {
    await this.pool.close();
  }

  /** Reads are shared by many requests (see ChainView), so they end on their own timeout, not on one caller's abort. */
  private async get(path: string): Promise<{ statusCode: number; json: unknown }> {
    try {
      const response = await this.pool.request({
        method: 'GET',
        path: this.pathPrefix + path,
        headers: { accept: 'application/json' },
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      if (response.statusCode !== HTTP_OK) {
        await response.body.dump();
        return { statusCode: response.statusCode, json: undefined };
      }
      return { statusCode: response.statusCode, json: await response.body.json() };
    } catch (error) {
      throw new LedgerUnavailableError(`ledger request GET ${path} failed: ${(error as Error).message}`, { cause: error });
    }
  }
}

function invalid(what: string): never {
  throw new LedgerUnavailableError(`the ledger answered a malformed ${what}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isEpoch(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 0;
}

function parseNode(value: unknown): StorageNodeDescription {
  if (!isRecord(value)) return invalid('node description');
  const { nodeId, name, url, blsPublicKey, shards } = value;
  if (typeof nodeId !== 'string' || typeof name !== 'string' || typeof url !== 'string' || typeof blsPublicKey !== 'string') {
    return invalid('node description');
  }
  if (!Array.isArray(shards) || !shards.every(isEpoch)) return invalid('shard list');
  return { nodeId, name, url, blsPublicKey, shards };
}

export function parseNetwork(value: unknown): NetworkDescription {
  if (!isRecord(value)) return invalid('network description');
  const { ledgerUrl, nShards, epoch, nodes } = value;
  if (typeof ledgerUrl !== 'string' || !isEpoch(nShards) || !isEpoch(epoch) || !Array.isArray(nodes)) {
    return invalid('network description');
  }
  return { ledgerUrl, nShards, epoch, nodes: nodes.map(parseNode) };
}

function parseStatus(value: unknown): BlobStatusJson {
  if (value === 'nonexistent') return value;
  if (isRecord(value)) {
    const keys = Object.keys(value);
    if (keys.length === 1 && (BLOB_STATUS_VARIANTS as readonly string[]).includes(keys[0])) return value as BlobStatusJson;
  }
  return invalid('blob status');
}

function parseRegistration(value: unknown): BlobRegistration {
  if (!isRecord(value)) return invalid('registration');
  const { objectId, deletable, registeredEpoch, certifiedEpoch, endEpoch } = value;
  if (
    typeof objectId !== 'string' ||
    !/^0x[0-9a-fA-F]{1,64}$/.test(objectId) ||
    typeof deletable !== 'boolean' ||
    !isEpoch(registeredEpoch) ||
    !(certifiedEpoch === null || isEpoch(certifiedEpoch)) ||
    !isEpoch(endEpoch)
  ) {
    return invalid('registration');
  }
  return { objectId: normalizeSuiObjectId(objectId), deletable, registeredEpoch, certifiedEpoch, endEpoch };
}

export function parseBlobState(value: unknown): LedgerBlobState {
  if (!isRecord(value) || !Array.isArray(value.registrations)) return invalid('blob state');
  return { status: parseStatus(value.status), registrations: value.registrations.map(parseRegistration) };
}

