/** BLS12-381 min_pk signing, checked against the official wasm's fastcrypto verifier. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bls12381_min_pk_aggregate, bls12381_min_pk_verify, bls12381_min_pk_verify_aggregate } from '@mysten/walrus-wasm';
import {
  blsAggregateSignatures,
  blsKeyPairFromSecret,
  blsSign,
  blsVerify,
  blsVerifyAggregate,
  uncompressedPublicKey,
} from '../../src/crypto/bls.ts';

const keys = [1, 2, 3].map((seed) => blsKeyPairFromSecret(Uint8Array.from({ length: 32 }, (_, i) => (i === 31 ? seed : 0))));
const message = new TextEncoder().encode('a storage confirmation');

test('signatures verify here and in fastcrypto, with compressed and uncompressed keys', () => {
  const signature = blsSign(message, keys[0].secretKey);
  assert.equal(signature.length, 96);
  assert.ok(blsVerify(signature, message, keys[0].publicKey));
  assert.ok(bls12381_min_pk_verify(signature, keys[0].publicKey, message));
  assert.ok(bls12381_min_pk_verify(signature, uncompressedPublicKey(keys[0].publicKey), message));
  assert.ok(!blsVerify(signature, message, keys[1].publicKey));
  assert.ok(!blsVerify(signature, Uint8Array.of(...message, 0), keys[0].publicKey));
  assert.ok(!blsVerify(new Uint8Array(96), message, keys[0].publicKey), 'malformed signature is false, not a throw');
});

test('aggregates match fastcrypto and verify against the signers only', () => {
  const signatures = keys.map((key) => blsSign(message, key.secretKey));
  const aggregate = blsAggregateSignatures(signatures);
  assert.deepEqual(aggregate, bls12381_min_pk_aggregate(signatures));
  const publicKeys = keys.map((key) => key.publicKey);
  assert.ok(blsVerifyAggregate(aggregate, message, publicKeys));
  assert.ok(bls12381_min_pk_verify_aggregate(publicKeys, message, aggregate));
  assert.ok(!blsVerifyAggregate(aggregate, message, publicKeys.slice(1)));
  assert.ok(!blsVerifyAggregate(aggregate, message, []));
});
