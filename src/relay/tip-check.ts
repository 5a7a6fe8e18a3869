/**
 * Whether a tip transaction pays for this upload, in the reference's order
 * (`crates/walrus-upload-relay/src/tip/check.rs`, `src/utils.rs`): executed recently enough and
 * not in the future, the required tip reached the relay's address, and its first input is the
 * auth payload `sha256(blob) ‖ sha256(nonce) ‖ u64 LE length` of exactly this body and nonce.
 * The nonce is checked first and the length before hashing, so a stranger holding only the
 * transaction ID cannot make the relay hash anything, and the hashing work is bounded by what
 * was paid for.
 */
import { createHash } from 'node:crypto';
import type { TransactionDetails } from '../chain/chain-client.ts';
import { equalBytes } from '../codec/bytes.ts';
import { TipAuthenticationError, TipNotPaidError, TipTransactionError } from './relay-errors.ts';
import type { TipPolicy } from './tip-config.ts';

const SHA256_LENGTH = 32;
const U64_LENGTH = 8;
/** BCS of `HashedAuthPackage { blob_digest: [u8; 32], nonce_digest: [u8; 32], unencoded_length: u64 }`. */
export const AUTH_PAYLOAD_LENGTH = SHA256_LENGTH + SHA256_LENGTH + U64_LENGTH;

export interface FreshnessWindow {
  /** How long after its execution a tip transaction may be used. */
  readonly maxAgeMs: number;
  /** How far ahead of the relay's clock its timestamp may be (clock skew). */
  readonly maxFutureMs: number;
}

/** Too old, in the future, or never executed: the reference's `check_tx_freshness`. */
export function checkFreshness(tx: TransactionDetails, window: FreshnessWindow, nowMs: number): void {
  if (tx.timestampMs === null) throw new TipTransactionError('UNEXPECTED_RESPONSE', `the tip transaction ${tx.digest} has no timestamp; it has not been executed`);
  if (tx.timestampMs - nowMs > window.maxFutureMs) {
    throw new TipTransactionError('UNEXPECTED_RESPONSE', `the tip transaction ${tx.digest} is in the future by more than the allowed ${window.maxFutureMs} ms`);
  }
  if (nowMs - tx.timestampMs > window.maxAgeMs) throw new TipTransactionError('TX_TOO_OLD', `the tip transaction ${tx.digest} is older than the allowed ${window.maxAgeMs} ms`);
}

/**
 * The first change of the tip address's balance in the tip coin must be at least `required`
 * (`check_response_tip`); a transaction that aborted moved no tip at all.
 */
export function checkTipPaid(tx: TransactionDetails, tip: TipPolicy, required: bigint): void {
  const change = tx.succeeded ? tx.balanceChanges.find((candidate) => candidate.address === tip.address && candidate.coin === tip.coin) : undefined;
  if (change === undefined) throw new TipNotPaidError('NO_TIP_SENT', `the transaction ${tx.digest} sent no ${tip.coin} tip to ${tip.address}`);
  if (change.amount < required) throw new TipNotPaidError('INSUFFICIENT_TIP', `the tip is insufficient: balance change ${change.amount}; expected ${required}`);
}

/** The auth payload in the transaction's first input authenticates this body and nonce (`check_tx_auth_package`). */
export function checkAuthPayload(tx: TransactionDetails, body: Uint8Array, nonce: Uint8Array): void {
  if (tx.inputs === null) throw new TipAuthenticationError('INVALID_TIP_TRANSACTION', `the tip transaction ${tx.digest} is not a programmable transaction`);
  const first = tx.inputs[0];
  if (first?.kind !== 'pure') throw new TipAuthenticationError('MISSING_AUTH_PACKAGE', 'the auth package is missing from the first input slot of the tip transaction');
  // BCS of fixed arrays and a u64: exactly 72 bytes, nothing trailing (bcs::from_bytes refuses leftovers).
  if (first.bytes.length !== AUTH_PAYLOAD_LENGTH) {
    throw new TipAuthenticationError('INVALID_AUTH_PACKAGE', `the auth package was found but could not be read: ${first.bytes.length} bytes, expected ${AUTH_PAYLOAD_LENGTH}`);
  }
  const payload = first.bytes;
  const blobDigest = payload.subarray(0, SHA256_LENGTH);
  const nonceDigest = payload.subarray(SHA256_LENGTH, 2 * SHA256_LENGTH);
  const length = new DataView(payload.buffer, payload.byteOffset + 2 * SHA256_LENGTH, U64_LENGTH).getBigUint64(0, true);
  if (!equalBytes(sha256(nonce), nonceDigest)) throw new TipAuthenticationError('INVALID_NONCE_HASH', 'the nonce is not the preimage of the nonce digest in the tip transaction');
  if (BigInt(body.length) !== length) throw new TipAuthenticationError('BLOB_LENGTH_MISMATCH', `the body is ${body.length} bytes; the tip transaction paid for ${length}`);
  if (!equalBytes(sha256(body), blobDigest)) throw new TipAuthenticationError('BLOB_DIGEST_MISMATCH', 'the SHA-256 of the body is not the blob digest in the tip transaction');
}

function sha256(bytes: Uint8Array): Uint8Array {
  return createHash('sha256').update(bytes).digest();
}
