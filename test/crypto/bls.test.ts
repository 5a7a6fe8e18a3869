/** BLS12-381 min_pk signing, checked against the official wasm's fastcrypto verifier. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bls12381_min_pk_aggregate, bls12381_min_pk_verify, bls12381_min_pk_verify_aggregate } from '@mysten/walrus-wasm';
import {
  blsAggregateParsed,
  blsAggregateSignatures,
  blsHashMessage,
  blsParseSignature,
  blsSignHashed,
  blsVerifyAll,
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

test('batch verification over one hashed message: a set passes only when every key signed', () => {
  const hashed = blsHashMessage(message);
  const signatures = keys.map((key) => blsSignHashed(hashed, key.secretKey));
  assert.deepEqual(signatures[0], blsSign(message, keys[0].secretKey), 'pre-hashing signs the same bytes');
  const parsed = signatures.map((bytes) => blsParseSignature(bytes)!);
  const publicKeys = keys.map((key) => key.publicKey);
  assert.ok(blsVerifyAll(parsed, hashed, publicKeys));
  assert.ok(blsVerifyAll(parsed.slice(0, 1), hashed, publicKeys.slice(0, 1)));
  assert.ok(!blsVerifyAll(parsed, hashed, [publicKeys[0], publicKeys[1], publicKeys[1]]), 'one signature under the wrong key');
  assert.ok(!blsVerifyAll(parsed, blsHashMessage(Uint8Array.of(...message, 0)), publicKeys), 'another message');
  assert.ok(!blsVerifyAll(parsed, hashed, publicKeys.slice(1)), 'keys and signatures must pair up');
  assert.ok(!blsVerifyAll([], hashed, []));
  const aggregate = blsAggregateParsed(parsed);
  assert.deepEqual(aggregate, blsAggregateSignatures(signatures));
  assert.ok(bls12381_min_pk_verify_aggregate(publicKeys, message, aggregate));
  assert.equal(blsParseSignature(new Uint8Array(96)), null, 'not a point');
  assert.equal(blsParseSignature(signatures[0].subarray(1)), null, 'wrong length');
});
