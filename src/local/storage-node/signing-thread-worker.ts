/**
 * The signing thread's side (see signing-thread.ts): signs messages with the secret keys it is
 * sent. The nodes of a local network sign the same confirmation message within milliseconds of
 * each other, so its hash to the curve — half the work of a signature — is kept for the next one.
 */
import { parentPort } from 'node:worker_threads';
import { blsHashMessage, blsSignHashed, type HashedMessage } from '../../crypto/bls.ts';
import type { SigningRequest, SigningResponse } from './signing-thread.ts';

const HASHED_MESSAGE_MEMO_LIMIT = 64;
const hashedMessages = new Map<string, HashedMessage>();

function hashed(message: Uint8Array): HashedMessage {
  const key = Buffer.from(message).toString('hex');
  let point = hashedMessages.get(key);
  if (point === undefined) {
    point = blsHashMessage(message);
    if (hashedMessages.size >= HASHED_MESSAGE_MEMO_LIMIT) hashedMessages.delete(hashedMessages.keys().next().value!);
    hashedMessages.set(key, point);
  }
  return point;
}

parentPort!.on('message', ({ id, message, secretKey }: SigningRequest) => {
  let response: SigningResponse;
  try {
    response = { id, signature: blsSignHashed(hashed(message), secretKey) };
  } catch (error) {
    response = { id, error: (error as Error).message };
  }
  parentPort!.postMessage(response);
});
