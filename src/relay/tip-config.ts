/**
 * The upload relay's tip (`crates/walrus-sdk/src/upload_relay/tip_config.rs`): none, a constant,
 * or linear in the blob's encoded length, paid to the operator's address. `GET /v1/tip-config`
 * answers it in the reference's JSON, which the SDK reads (`UploadRelayClient.tipConfig`).
 */
import type { CoinKind, SuiAddress } from '../chain/chain-client.ts';
import type { EncodingParams } from '../codec/params.ts';

const BYTES_PER_KIB = 1024n;

export type TipKind =
  | { readonly kind: 'const'; readonly amount: bigint }
  /** base + ⌈encoded length / 1 KiB⌉ × perEncodedKib. */
  | { readonly kind: 'linear'; readonly base: bigint; readonly perEncodedKib: bigint };

export interface TipPolicy {
  readonly address: SuiAddress;
  readonly kind: TipKind;
  /**
   * The coin the tip must arrive in: SUI on Sui networks, as the reference; WAL on the local
   * ledger, which has no other coin. The tip-config JSON does not say (the reference's has no field).
   */
  readonly coin: Exclude<CoinKind, 'other'>;
}

/** The reference's JSON: `"no_tip"` or `{"send_tip": {"address", "kind": {"const": n} | {"linear": {"base", "encoded_size_mul_per_kib"}}}}`. */
export type TipConfigJson =
  | 'no_tip'
  | {
      readonly send_tip: {
        readonly address: string;
        readonly kind: { readonly const: number } | { readonly linear: { readonly base: number; readonly encoded_size_mul_per_kib: number } };
      };
    };

/** Amounts are validated at start-up to be at most 2^53 − 1, so they are exact JSON numbers. */
export function tipConfigJson(tip: TipPolicy | null): TipConfigJson {
  if (tip === null) return 'no_tip';
  const kind = tip.kind.kind === 'const' ? { const: Number(tip.kind.amount) } : { linear: { base: Number(tip.kind.base), encoded_size_mul_per_kib: Number(tip.kind.perEncodedKib) } };
  return { send_tip: { address: tip.address, kind } };
}

/**
 * The tip for a blob of `unencodedLength` bytes, as the reference's `TipKind::compute_tip` and the
 * SDK's `calculateUploadRelayTip`: the linear kind counts whole KiB (rounded up) of the encoded
 * length the blob is registered with (`encoded_blob_length_for_n_shards`). The caller checks the
 * length fits the encoding first (`EncodingParams.maxBlobSize`).
 */
export function requiredTip(kind: TipKind, unencodedLength: number, params: EncodingParams): bigint {
  if (kind.kind === 'const') return kind.amount;
  const encoded = BigInt(params.encodedLength(unencodedLength));
  return kind.base + ((encoded + BYTES_PER_KIB - 1n) / BYTES_PER_KIB) * kind.perEncodedKib;
}
