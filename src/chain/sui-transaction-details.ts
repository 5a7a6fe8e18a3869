/**
 * An executed Sui transaction as `ChainClient.getTransaction` reports it: the inputs come from the
 * transaction's own BCS bytes (`TransactionData`, as the reference relay reads `raw_transaction`
 * in `crates/walrus-upload-relay/src/utils.rs`), the balance changes and checkpoint time from the
 * full node. Everything is checked here: a full node's answer is no more trusted than a client's.
 */
import { bcs } from '@mysten/sui/bcs';
import type { SuiClientTypes } from '@mysten/sui/client';
import { fromBase64, normalizeStructTag, normalizeSuiAddress, SUI_TYPE_ARG } from '@mysten/sui/utils';
import type { BalanceChange, CoinKind, TransactionDetails, TransactionInput } from './chain-client.ts';
import { InvalidChainResponseError } from './chain-errors.ts';

const SUI_COIN_TYPE = normalizeStructTag(SUI_TYPE_ARG);
const SIGNED_INTEGER = /^-?\d{1,40}$/;

/** A transaction digest: base58 of 32 bytes (43 or 44 characters, fewer with leading zero bytes). */
export const TRANSACTION_DIGEST = /^[1-9A-HJ-NP-Za-km-z]{32,44}$/;

export function transactionDetailsFromSui(
  transaction: SuiClientTypes.Transaction<{ bcs: true; balanceChanges: true }>,
  succeeded: boolean,
  walCoinType: string,
): TransactionDetails {
  if (!(transaction.bcs instanceof Uint8Array)) throw new InvalidChainResponseError(`the full node sent transaction ${transaction.digest} without its bytes`);
  const timestampMs = transaction.timestampMs;
  if (timestampMs !== null && !Number.isSafeInteger(timestampMs)) throw new InvalidChainResponseError(`transaction ${transaction.digest} has timestamp ${String(timestampMs)}`);
  return {
    digest: transaction.digest,
    timestampMs,
    succeeded,
    inputs: programmableInputs(transaction.digest, transaction.bcs),
    balanceChanges: (transaction.balanceChanges ?? []).map((change) => balanceChange(transaction.digest, change, normalizeStructTag(walCoinType))),
  };
}

/** The inputs of a programmable transaction block, `null` for system transactions (epoch changes, …). */
function programmableInputs(digest: string, bytes: Uint8Array): TransactionInput[] | null {
  let data: ReturnType<typeof bcs.TransactionData.parse>;
  try {
    data = bcs.TransactionData.parse(bytes);
  } catch (error) {
    throw new InvalidChainResponseError(`the bytes of transaction ${digest} are not a Sui TransactionData`, { cause: error });
  }
  const kind = data.V1?.kind;
  if (kind?.$kind !== 'ProgrammableTransaction') return null;
  return kind.ProgrammableTransaction.inputs.map((input): TransactionInput => (input.$kind === 'Pure' ? { kind: 'pure', bytes: fromBase64(input.Pure.bytes) } : { kind: 'object' }));
}

function balanceChange(digest: string, change: SuiClientTypes.BalanceChange, walCoinType: string): BalanceChange {
  if (typeof change.amount !== 'string' || !SIGNED_INTEGER.test(change.amount) || typeof change.address !== 'string') {
    throw new InvalidChainResponseError(`transaction ${digest} has a malformed balance change`);
  }
  let coinType: string;
  try {
    coinType = normalizeStructTag(change.coinType);
  } catch (error) {
    throw new InvalidChainResponseError(`transaction ${digest} changes a balance of coin type ${JSON.stringify(String(change.coinType).slice(0, 200))}`, { cause: error });
  }
  const coin: CoinKind = coinType === SUI_COIN_TYPE ? 'SUI' : coinType === walCoinType ? 'WAL' : 'other';
  return { address: normalizeSuiAddress(change.address), coin, amount: BigInt(change.amount) };
}
