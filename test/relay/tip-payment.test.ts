/**
 * A relay that charges a tip (constant or linear in the encoded size), on the local network where
 * tips are paid in WAL: GET /v1/tip-config answers the reference's JSON, which the SDK parses; a
 * tip of exactly the SDK's amount, with the SDK's auth payload first in the transaction, gets the
 * blob relayed (the SDK sends tx_id and nonce), certified and read back; one FROST less is a 402.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { randomBytes } from '../fixtures/random.ts';
import { startRelay, TIP_ADDRESS, type RelayFixture } from '../fixtures/upload-relay.ts';
import { sdkTipAmount } from '../fixtures/walrus-sdk.ts';

const CONST_TIP = 105n;
const LINEAR_BASE = 101n;
const LINEAR_PER_KIB = 42n;

const cases = [
  {
    name: 'constant',
    args: ['--tip-address', TIP_ADDRESS, '--tip-const', String(CONST_TIP)],
    json: { send_tip: { address: TIP_ADDRESS, kind: { const: Number(CONST_TIP) } } },
    sdk: { address: TIP_ADDRESS, kind: { const: Number(CONST_TIP) } },
  },
  {
    name: 'linear',
    args: ['--tip-address', TIP_ADDRESS, '--tip-base', String(LINEAR_BASE), '--tip-per-encoded-kib', String(LINEAR_PER_KIB)],
    json: { send_tip: { address: TIP_ADDRESS, kind: { linear: { base: Number(LINEAR_BASE), encoded_size_mul_per_kib: Number(LINEAR_PER_KIB) } } } },
    sdk: { address: TIP_ADDRESS, kind: { linear: { base: Number(LINEAR_BASE), perEncodedKib: Number(LINEAR_PER_KIB) } } },
  },
];

for (const tipCase of cases) {
  describe(`upload relay with a ${tipCase.name} tip`, () => {
    let relay: RelayFixture;
    before(async () => {
      relay = await startRelay({ args: tipCase.args });
    });
    after(() => relay.stop());

    test('GET /v1/tip-config is the reference JSON and the SDK parses it', async () => {
      const response = await fetch(`${relay.url}/v1/tip-config`);
      assert.equal(response.status, 200);
      assert.deepEqual(await response.json(), tipCase.json);
      assert.deepEqual(await relay.sdk.tipConfig(), tipCase.sdk);
    });

    for (const deletable of [false, true]) {
      test(`the SDK's tip pays for a ${deletable ? 'deletable' : 'permanent'} upload: relayed, certified, read back`, async () => {
        const tip = await relay.sdk.tipConfig();
        assert.ok(tip);
        const blob = await relay.prepare(randomBytes(9_000, deletable ? 12 : 11));
        const amount = sdkTipAmount(tip, blob.bytes.length, await relay.nShards());
        if (tipCase.name === 'linear') assert.ok(amount > LINEAR_BASE, 'the linear tip grows with the encoded size');
        const object = await relay.register(blob, { deletable });
        const tipsBefore = await relay.chain.getBalance(TIP_ADDRESS);
        const txDigest = await relay.payTip(blob, amount);
        assert.equal(await relay.chain.getBalance(TIP_ADDRESS), tipsBefore + amount);
        const relayed = await relay.upload(blob, object, txDigest);
        await relay.certify(object, relayed);
        assert.deepEqual(await relay.read(blob.blobId), blob.bytes);
      });
    }

    test('one FROST short of the tip is 402 INSUFFICIENT_TIP, and nothing goes to the nodes', async () => {
      const tip = await relay.sdk.tipConfig();
      assert.ok(tip);
      const blob = await relay.prepare(randomBytes(2_000, 13));
      const object = await relay.register(blob);
      const txDigest = await relay.payTip(blob, sdkTipAmount(tip, blob.bytes.length, await relay.nShards()) - 1n);
      const writes = await relay.nodeWrites();
      await assert.rejects(relay.upload(blob, object, txDigest), (error: { status?: number; error?: { error: { status: string; details: { reason: string }[] } } }) => {
        assert.equal(error.status, 402);
        assert.equal(error.error?.error.details[0].reason, 'INSUFFICIENT_TIP');
        assert.equal(error.error?.error.status, 'FAILED_PRECONDITION');
        return true;
      });
      assert.equal(await relay.nodeWrites(), writes);
    });
  });
}
