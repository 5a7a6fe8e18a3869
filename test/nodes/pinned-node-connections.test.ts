/**
 * Storage-node connections on real networks: a committee member with an on-chain network key and
 * an `https` URL is reached over TLS pinned to that key (self-signed certificates accepted, any
 * other key refused); a member without a key keeps a plain pool (the local network).
 */
import assert from 'node:assert/strict';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { ChainClient, Committee, CommitteeMember, SystemState } from '../../src/chain/chain-client.ts';
import { PinnedKeyMismatchError } from '../../src/chain/node-tls-pinning.ts';
import { CommitteeView } from '../../src/nodes/committee-view.ts';
import { StorageNodeClient } from '../../src/nodes/storage-node-client.ts';
import { nodeTlsIdentity } from '../fixtures/self-signed-certificate.ts';

const BLOB_ID = new Uint8Array(32).fill(1);
const N_SHARDS = 4;
const statusBody = JSON.stringify({ success: { code: 200, data: 'nonexistent' } });
const answer = (_request: unknown, response: import('node:http').ServerResponse) => response.writeHead(200, { 'content-type': 'application/json' }).end(statusBody);

/** A chain that only knows its committee: all CommitteeView asks of it. */
function chainWith(members: CommitteeMember[]): ChainClient {
  const committee: Committee = { epoch: 1, nShards: N_SHARDS, members, memberByShard: Array.from({ length: N_SHARDS }, () => members[0]) };
  const state: SystemState = { epoch: { epoch: 1, startedAtMs: 0, durationMs: 0 }, committee, prices: { storagePricePerUnitSize: 1n, writePricePerUnitSize: 1n }, maxEpochsAhead: 1 };
  return { getSystemState: async () => state } as Partial<ChainClient> as ChainClient;
}

const member = (url: string, networkPublicKey?: Uint8Array): CommitteeMember => ({
  index: 0,
  nodeId: '0x' + '0'.repeat(63) + '1',
  name: 'node-0',
  url,
  blsPublicKey: new Uint8Array(48),
  networkPublicKey,
  shards: [0, 1, 2, 3],
  weight: N_SHARDS,
});

describe('storage-node connections pinned to on-chain network keys', () => {
  const identity = nodeTlsIdentity();
  const stranger = nodeTlsIdentity();
  let tls: Server;
  let plain: import('node:http').Server;
  let httpsUrl: string;
  let httpUrl: string;
  const clients: StorageNodeClient[] = [];
  const views: CommitteeView[] = [];
  const client = (url: string, networkPublicKey?: Uint8Array) => {
    const created = new StorageNodeClient({ name: 'node-0', url, timeoutMs: 5_000, networkPublicKey });
    clients.push(created);
    return created;
  };

  before(async () => {
    tls = createHttpsServer({ key: identity.privateKey.export({ type: 'pkcs8', format: 'pem' }), cert: identity.certificatePem }, answer);
    plain = createHttpServer(answer);
    await Promise.all([tls, plain].map((server) => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))));
    httpsUrl = `https://127.0.0.1:${(tls.address() as AddressInfo).port}`;
    httpUrl = `http://127.0.0.1:${(plain.address() as AddressInfo).port}`;
  });
  after(async () => {
    await Promise.all([...clients.map((c) => c.close()), ...views.map((v) => v.close(true))]);
    await Promise.all([tls, plain].map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  });

  it('the node’s own key: its self-signed certificate is accepted', async () => {
    assert.deepEqual(await client(httpsUrl, identity.networkPublicKey).getBlobStatus(BLOB_ID, AbortSignal.timeout(5_000)), { kind: 'ok', value: { kind: 'nonexistent', certifiedEpoch: null, endEpoch: null } });
  });

  it('another key: the connection is refused as a node failure caused by the pin', async () => {
    const outcome = await client(httpsUrl, stranger.networkPublicKey).getBlobStatus(BLOB_ID, AbortSignal.timeout(5_000));
    assert.ok(outcome.kind === 'faulty' && outcome.fault === 'transport', JSON.stringify(outcome));
    assert.ok(outcome.cause instanceof PinnedKeyMismatchError, `cause: ${String(outcome.cause)}`);
  });

  it('no key: web PKI alone, which refuses the self-signed certificate (why pinning is needed)', async () => {
    const outcome = await client(httpsUrl).getBlobStatus(BLOB_ID, AbortSignal.timeout(5_000));
    assert.ok(outcome.kind === 'faulty' && /self[- ]signed/i.test(outcome.detail), JSON.stringify(outcome));
  });

  it('plain http with a key (never on Sui) stays a plain pool', async () => {
    assert.deepEqual(await client(httpUrl, identity.networkPublicKey).getBlobStatus(BLOB_ID, AbortSignal.timeout(5_000)), { kind: 'ok', value: { kind: 'nonexistent', certifiedEpoch: null, endEpoch: null } });
  });

  it('CommitteeView gives each member a client pinned to that member’s key', async () => {
    const good = new CommitteeView({ chain: chainWith([member(httpsUrl, identity.networkPublicKey)]), nodeTimeoutMs: 5_000 });
    const bad = new CommitteeView({ chain: chainWith([member(httpsUrl, stranger.networkPublicKey)]), nodeTimeoutMs: 5_000 });
    views.push(good, bad);
    const [pinned] = (await good.get()).clients;
    assert.deepEqual(await pinned.getBlobStatus(BLOB_ID, AbortSignal.timeout(5_000)), { kind: 'ok', value: { kind: 'nonexistent', certifiedEpoch: null, endEpoch: null } });
    const [wrong] = (await bad.get()).clients;
    const outcome = await wrong.getBlobStatus(BLOB_ID, AbortSignal.timeout(5_000));
    assert.ok(outcome.kind === 'faulty' && outcome.cause instanceof PinnedKeyMismatchError, JSON.stringify(outcome));
  });
});
