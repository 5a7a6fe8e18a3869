import type { LedgerRecord } from './model.ts';

/** Log records are JSON; bigints (FROST amounts, prices) are written as `{"$bigint":"<decimal>"}`. */
const BIGINT_TAG = '$bigint';

export function encodeRecord(record: LedgerRecord): Uint8Array {
  return Buffer.from(JSON.stringify(record, (_key, value: unknown) => (typeof value === 'bigint' ? { [BIGINT_TAG]: value.toString() } : value)));
}

export function decodeRecord(bytes: Uint8Array): LedgerRecord {
  return JSON.parse(Buffer.from(bytes).toString('utf8'), (_key, value: unknown) => {
    if (value !== null && typeof value === 'object' && BIGINT_TAG in value) return BigInt((value as Record<string, string>)[BIGINT_TAG]);
    return value;
  }) as LedgerRecord;
}
