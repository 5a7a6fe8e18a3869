/**
 * The local network with `tls`: nodes serve HTTPS with a self-signed certificate for a secp256r1
 * key, and the ledger publishes `https` URLs and those keys as the nodes' network keys, so the
 * gateway pins every node connection as on testnet and mainnet. A node presenting another key is
 * refused as a faulty node while the others serve.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { certificateP256Key } from '../../src/chain/node-tls-pinning.ts';
import { HOSTILE_KINDS } from '../../src/local/storage-node/node-faults.ts';
import { StorageNodeServer } from '../../src/local/storage-node/storage-node-server.ts';
import { nodeTlsFromKey } from '../../src/local/storage-node/node-certificate.ts';
import { startPublisher, type PublisherFixture } from '../fixtures/publisher.ts';
import { randomBytes } from '../fixtures/random.ts';
import { nodeTlsIdentity, pemToDer } from '../fixtures/self-signed-certificate.ts';

const SHARDS = 10;
const F = Math.floor((SHARDS - 1) / 3);

describe('local network over TLS pinned to on-chain network keys (4 nodes, 10 shards)', () => {
  let pub: PublisherFixture;
  before(async () => {
    pub = await startPublisher({ nodes: 4, shards: SHARDS, tls: true, args: ['--cache-size', '0'] });
  });
  after(() => pub.stop());

  async function storeAndRead(blob: Uint8Array): Promise<void> {
    const stored = await pub.put(blob);
    assert.equal(stored.status, 200, JSON.stringify(stored.json));
    const read = await fetch(`${pub.url}/v1/blobs/${stored.json.newlyCreated.blobObject.blobId}`);
    assert.equal(read.status, 200);
    assert.deepEqual(new Uint8Array(await read.arrayBuffer()), blob);
  }

  test('the ledger publishes https URLs and each node’s certificate key', async () => {
    const { committee } = await pub.chain.getSystemState();
    for (const member of committee.members) {
      assert.match(member.url, /^https:\/\/127\.0\.0\.1:\d+$/);
      assert.equal(member.networkPublicKey?.length, 33, member.name);
      const node = pub.network.node(member.name);
      const certificate = nodeTlsFromKey(pub.network.identity.nodes.find((n) => n.name === member.name)!.tlsPrivateKey!).cert;
      assert.deepEqual(certificateP256Key(pemToDer(certificate)), member.networkPublicKey, member.name);
      assert.equal(node.url, member.url);
    }
  });

  test('a blob is stored and read back through the gateway over pinned TLS', async () => {
    await storeAndRead(randomBytes(50_000, 1401));
    assert.ok((await pub.metric('walrus_gateway_publisher_node_requests_total', { outcome: 'ok' })) > 0);
    assert.equal(await pub.metric('walrus_gateway_publisher_node_requests_total', { outcome: 'transport' }), 0);
  });

  test('raw-socket misbehaviours still reach the gateway over TLS, and are survived', async () => {
    const lightest = (await pub.nodesByWeight()).at(-1)!;
    assert.ok(lightest.weight <= F);
    for (const [i, kind] of HOSTILE_KINDS.entries()) {
      pub.network.setFaults(lightest.name, { hostile: true, hostileKinds: [kind] });
      try {
        await storeAndRead(randomBytes(3_000, 1500 + i));
      } finally {
        pub.network.setFaults(lightest.name, { hostile: false, hostileKinds: [...HOSTILE_KINDS] });
      }
    }
  });

  test('a node whose certificate carries another key is refused, counted, and the others serve', async () => {
    const { name, weight } = (await pub.nodesByWeight()).at(-1)!;
    assert.ok(weight <= F);
    const identity = pub.network.identity.nodes.find((node) => node.name === name)!;
    const original = pub.network.node(name);
    await original.stop();
    // The same node (ID, BLS key, port, data) presenting a certificate for a key the chain does not know.
    const stranger = nodeTlsIdentity();
    const impostor = new StorageNodeServer({
      nodeId: identity.nodeId,
      name,
      dataDir: join(pub.network.dataDir, 'nodes', name),
      blsSecretKey: Buffer.from(identity.blsSecretKey, 'hex'),
      ledgerUrl: pub.network.ledger.url,
      host: '127.0.0.1',
      port: identity.port,
      tls: { key: stranger.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, cert: stranger.certificatePem },
    });
    await impostor.start();
    try {
      const faultsBefore = await pub.metric('walrus_gateway_publisher_node_faults_total', { node: name });
      await storeAndRead(randomBytes(20_000, 1601));
      assert.ok((await pub.metric('walrus_gateway_publisher_node_faults_total', { node: name })) > faultsBefore, 'the impostor’s refusals are counted as its faults');
      assert.ok((await pub.metric('walrus_gateway_publisher_node_requests_total', { outcome: 'transport' })) > 0, 'refused as a transport fault');
    } finally {
      await impostor.stop();
      await original.start();
    }
  });
});
