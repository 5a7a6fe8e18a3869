/** A small Walrus system for ledger and chain-client tests: 10 shards on 4 nodes, test wallets, certificates. */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Keypair } from '@mysten/sui/cryptography';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { blobIdToString, deriveBlobId } from '../../src/codec/blob-id.ts';
import { encodeConfirmation, signersToBitmap } from '../../src/codec/confirmation.ts';
import { EncodingParams } from '../../src/codec/params.ts';
import { type BlsKeyPair, blsAggregateSignatures, blsKeyPairFromSecret, blsSign } from '../../src/crypto/bls.ts';
import { LedgerServer, type LedgerServerOptions } from '../../src/local/ledger/ledger-server.ts';
import type { Genesis } from '../../src/local/ledger/model.ts';
import type { BalanceJson, BlobIdStatusResponseJson, EpochJson, NetworkJson, TransactionResponseJson } from '../../src/local/ledger/wire-json.ts';
import type { TransactionCallJson, TransactionPayloadJson } from '../../src/local/ledger/wire-transactions.ts';
import type { ErrorBody } from '../../src/errors/error-body.ts';

export const N_SHARDS = 10;
export const STORAGE_PRICE = 1_000n;
export const WRITE_PRICE = 20_000n;
export const MAX_EPOCHS_AHEAD = 5;
/** Shards per node in committee order: weights 3, 3, 2, 2 of 10; a quorum needs 7. */
const SHARDS_BY_NODE = [[0, 1, 2], [3, 4, 5], [6, 7], [8, 9]];

export interface TestNode {
  readonly nodeId: string;
  readonly keys: BlsKeyPair;
  readonly shards: readonly number[];
}

/** Committee members in committee order (ascending node ID). */
export const TEST_NODES: readonly TestNode[] = SHARDS_BY_NODE.map((shards, i) => ({
  nodeId: `0x${(i + 1).toString(16).padStart(64, '0')}`,
  keys: blsKeyPairFromSecret(Uint8Array.from({ length: 32 }, (_, j) => (j === 31 ? i + 1 : 0))),
  shards,
}));

export function testGenesis(overrides: Partial<Genesis> = {}): Genesis {
  return {
    nShards: N_SHARDS,
    // Listed out of order on purpose: the ledger sorts by node ID.
    nodes: [...TEST_NODES].reverse().map((node, i) => ({
      nodeId: node.nodeId,
      name: `node-${i}`,
      url: `http://127.0.0.1:${40_000 + i}`,
      blsPublicKey: Buffer.from(node.keys.publicKey).toString('base64'),
      shards: node.shards,
    })),
    storagePricePerUnitSize: STORAGE_PRICE,
    writePricePerUnitSize: WRITE_PRICE,
    maxEpochsAhead: MAX_EPOCHS_AHEAD,
    epochDurationMs: 0,
    ...overrides,
  };
}

export async function makeTempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'walrus-ledger-test-'));
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/** Runs `body` against a fresh ledger server on loopback in a temporary directory. */
export async function withLedger<T>(body: (server: LedgerServer, dataDir: string) => Promise<T>, options: Partial<LedgerServerOptions> = {}): Promise<T> {
  const dataDir = await makeTempDir();
  const server = new LedgerServer({ dataDir, genesis: testGenesis(), ...options });
  await server.start();
  try {
    return await body(server, dataDir);
  } finally {
    await server.stop();
    await removeDir(dataDir);
  }
}

export interface TestBlob {
  readonly blobId: string;
  readonly blobIdBytes: Uint8Array;
  readonly rootHash: Uint8Array;
  readonly size: number;
  readonly encodedLength: number;
}

/** A blob ID derived from a random root hash: all the ledger checks is the derivation. */
export function testBlob(size = 1000): TestBlob {
  const rootHash = new Uint8Array(randomBytes(32));
  const blobIdBytes = deriveBlobId(rootHash, size);
  return { blobId: blobIdToString(blobIdBytes), blobIdBytes, rootHash, size, encodedLength: EncodingParams.forShards(N_SHARDS).encodedLength(size) };
}

export interface TestCertificate {
  readonly signersBitmap: Uint8Array;
  readonly signature: Uint8Array;
  readonly message: Uint8Array;
}

/** Confirmation message for a blob; pass `objectId` for a deletable blob. */
export function confirmationMessage(epoch: number, blob: TestBlob, objectId?: string): Uint8Array {
  return encodeConfirmation({
    epoch,
    blobId: blob.blobIdBytes,
    persistence: objectId === undefined ? { kind: 'permanent' } : { kind: 'deletable', objectId: Uint8Array.from(Buffer.from(objectId.slice(2), 'hex')) },
  });
}

/** Signs `message` with the given committee members and aggregates, as a publisher would. */
export function certify(message: Uint8Array, signerIndexes: readonly number[], signWith: readonly number[] = signerIndexes): TestCertificate {
  const signatures = signWith.map((i) => blsSign(message, TEST_NODES[i].keys.secretKey));
  return { signersBitmap: signersToBitmap(signerIndexes, TEST_NODES.length), signature: blsAggregateSignatures(signatures), message };
}

export function newWallet(): Keypair {
  return new Ed25519Keypair();
}

/** A raw client of the ledger's HTTP API, to send well- and ill-formed requests alike. */
export class RawLedgerClient {
  constructor(readonly url: string) {}

  async get<T = unknown>(path: string): Promise<{ status: number; json: T }> {
    const response = await fetch(this.url + path);
    return { status: response.status, json: (await response.json()) as T };
  }

  async post<T = unknown>(path: string, body?: unknown): Promise<{ status: number; json: T }> {
    const response = await fetch(this.url + path, {
      method: 'POST',
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, json: (await response.json()) as T };
  }

  async faucet(address: string, amount: bigint): Promise<void> {
    const { status, json } = await this.post('/v1/faucet', { address, amount: String(amount) });
    if (status !== 200) throw new Error(`faucet failed: ${JSON.stringify(json)}`);
  }

  /** Signs `call` from `signer`; `tamper` may change the payload after it is built. */
  async signedBody(signer: Keypair, call: TransactionCallJson, tamper: Partial<TransactionPayloadJson> = {}): Promise<{ transaction: string; signature: string }> {
    const payload: TransactionPayloadJson = {
      version: 1,
      sender: signer.toSuiAddress(),
      nonce: randomBytes(8).toString('hex'),
      expiresAtMs: Date.now() + 60_000,
      call,
      ...tamper,
    };
    const bytes = Buffer.from(JSON.stringify(payload));
    const { signature } = await signer.signPersonalMessage(bytes);
    return { transaction: bytes.toString('base64'), signature };
  }

  /** Submits a transaction that must succeed. */
  async execute(signer: Keypair, call: TransactionCallJson): Promise<TransactionResponseJson> {
    const { status, json } = await this.submit(signer, call);
    if (status !== 200) throw new Error(`transaction failed: ${JSON.stringify(json)}`);
    return json as TransactionResponseJson;
  }

  async submit(signer: Keypair, call: TransactionCallJson, tamper: Partial<TransactionPayloadJson> = {}): Promise<{ status: number; json: unknown }> {
    return this.post('/v1/transactions', await this.signedBody(signer, call, tamper));
  }

  async balance(address: string): Promise<bigint> {
    return BigInt((await this.get<BalanceJson>(`/v1/accounts/${address}`)).json.balance);
  }

  async network(): Promise<NetworkJson> {
    return (await this.get<NetworkJson>('/v1/network')).json;
  }

  async blobIdStatus(blobId: string): Promise<BlobIdStatusResponseJson> {
    return (await this.get<BlobIdStatusResponseJson>(`/v1/blob-ids/${blobId}`)).json;
  }

  async advanceEpoch(): Promise<number> {
    return (await this.post<EpochJson>('/v1/admin/advance-epoch')).json.epoch;
  }

  /** Everything a refused call must leave unchanged, for before/after comparison. */
  async snapshot(addresses: readonly string[], blobIds: readonly string[]): Promise<unknown> {
    return {
      network: (await this.get('/v1/network')).json,
      accounts: await Promise.all(addresses.map(async (address) => [(await this.get(`/v1/accounts/${address}`)).json, (await this.get(`/v1/accounts/${address}/blob-objects`)).json])),
      blobIds: await Promise.all(blobIds.map(async (blobId) => (await this.get(`/v1/blob-ids/${blobId}`)).json)),
    };
  }
}

/** The AIP-193 `reason` of an error response, asserting its domain is the ledger's. */
export function errorReason(json: unknown): string {
  const detail = (json as ErrorBody).error.details[0];
  if (detail.domain !== 'ledger.walrus.local') throw new Error(`unexpected error domain ${detail.domain}`);
  return detail.reason;
}

export function registerCall(blob: TestBlob, overrides: Partial<Extract<TransactionCallJson, { kind: 'registerBlob' }>> = {}): TransactionCallJson {
  return {
    kind: 'registerBlob',
    blobId: blob.blobId,
    rootHash: Buffer.from(blob.rootHash).toString('base64'),
    size: blob.size,
    encodingType: 1,
    storageSize: blob.encodedLength,
    epochsAhead: 2,
    deletable: false,
    attributes: {},
    ...overrides,
  };
}

export function certifyCall(blobObjectId: string, certificate: TestCertificate, postStore: Extract<TransactionCallJson, { kind: 'certifyBlob' }>['postStore'] = { kind: 'keep' }): TransactionCallJson {
  return {
    kind: 'certifyBlob',
    blobObjectId,
    signature: Buffer.from(certificate.signature).toString('base64'),
    signersBitmap: Buffer.from(certificate.signersBitmap).toString('base64'),
    message: Buffer.from(certificate.message).toString('base64'),
    postStore,
  };
}
