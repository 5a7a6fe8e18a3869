import { Transaction, type TransactionArgument, type TransactionObjectArgument } from '@mysten/sui/transactions';
import { ENCODING_TYPE_RS2 } from '../codec/params.ts';
import { blobIdToU256, parseBlobId } from '../codec/blob-id.ts';
import type { CertifyBlobRequest, ExtendBlobRequest, ObjectId, RegisterBlobRequest, SuiAddress } from './chain-client.ts';
import { InsufficientBalanceError } from './chain-errors.ts';

/**
 * Programmable transactions for the Walrus publisher calls (docs/protocol.md §5.3, §5.4). Every
 * builder is a pure function returning a `Transaction` so tests can inspect the commands offline;
 * the client sets sender and gas, dry-runs and executes them.
 *
 * Deliberate difference from `@mysten/walrus`: WAL is paid from the signer's merged coin passed as
 * `&mut Coin<WAL>` to every paying call, instead of exactly-sized `coinWithBalance` splits. The
 * contract splits the exact price itself, so a price change between our read and execution cannot
 * make a split coin too small, and no `destroy_zero` calls are needed.
 */

/** Where to call the Walrus package and which objects it works on. */
export interface WalrusPackageRefs {
  /** `System.package_id`: the latest (upgraded) package, the target of every Move call. */
  readonly packageId: ObjectId;
  readonly systemObjectId: ObjectId;
  /** `0x…::wal::WAL`. */
  readonly walCoinType: string;
}

/** A WAL coin the signer owns, as listed by the chain (version and digest pin the exact object). */
export interface WalCoinRef {
  readonly objectId: ObjectId;
  readonly version: string;
  readonly digest: string;
  readonly balance: bigint;
}

/**
 * The fewest largest coins that together cover `amount`. Throws {@link InsufficientBalanceError}
 * when all of them together do not.
 */
export function selectWalCoins(coins: readonly WalCoinRef[], amount: bigint): WalCoinRef[] {
  const sorted = [...coins].sort((a, b) => (a.balance === b.balance ? 0 : a.balance > b.balance ? -1 : 1));
  const selected: WalCoinRef[] = [];
  let total = 0n;
  for (const coin of sorted) {
    if (total >= amount && selected.length > 0) break;
    selected.push(coin);
    total += coin.balance;
  }
  if (total < amount || selected.length === 0) {
    throw new InsufficientBalanceError(`the wallet holds ${total} FROST of WAL but the call needs ${amount}`, amount, total);
  }
  return selected;
}

/** One WAL coin argument: the first selected coin with the others merged into it. */
function mergedWalCoin(tx: Transaction, coins: readonly WalCoinRef[]): TransactionObjectArgument {
  if (coins.length === 0) throw new InsufficientBalanceError('no WAL coins to pay with', null, 0n);
  const [primary, ...rest] = coins.map((coin) => tx.objectRef({ objectId: coin.objectId, version: coin.version, digest: coin.digest }));
  if (rest.length > 0) tx.mergeCoins(primary, rest);
  return primary;
}

function target(refs: WalrusPackageRefs, module: string, fn: string): `${string}::${string}::${string}` {
  return `${refs.packageId}::${module}::${fn}`;
}

/** The chain-client request, plus who pays and receives the Blob. */
export interface RegisterBlobTransactionInput extends RegisterBlobRequest {
  readonly refs: WalrusPackageRefs;
  readonly owner: SuiAddress;
  readonly walCoins: readonly WalCoinRef[];
}

/**
 * `reserve_space` + `register_blob` (+ attributes) in one PTB; the new Blob goes to `owner`, who
 * must certify it later.
 */
export function registerBlobTransaction(input: RegisterBlobTransactionInput): Transaction {
  const { refs } = input;
  const tx = new Transaction();
  const payment = mergedWalCoin(tx, input.walCoins);
  const system = tx.object(refs.systemObjectId);
  const [storage] = tx.moveCall({
    target: target(refs, 'system', 'reserve_space'),
    arguments: [system, tx.pure.u64(input.encodedLength), tx.pure.u32(input.epochs), payment],
  });
  const [blob] = tx.moveCall({
    target: target(refs, 'system', 'register_blob'),
    arguments: [
      system,
      storage,
      // Move reads the 32 raw bytes as a little-endian u256 (docs/protocol.md §5.3).
      tx.pure.u256(blobIdToU256(parseBlobId(input.blobId))),
      tx.pure.u256(blobIdToU256(input.rootHash)),
      tx.pure.u64(input.size),
      tx.pure.u8(ENCODING_TYPE_RS2),
      tx.pure.bool(input.deletable),
      payment,
    ],
  });
  if (input.attributes !== undefined && Object.keys(input.attributes).length > 0) {
    addBlobAttributes(tx, refs, blob, input.attributes);
  }
  tx.transferObjects([blob], input.owner);
  return tx;
}

export interface CertifyBlobTransactionInput extends Required<CertifyBlobRequest> {
  readonly refs: WalrusPackageRefs;
}

/** `certify_blob`, then the post-store action: keep, transfer, or wrap in a `SharedBlob`. */
export function certifyBlobTransaction(input: CertifyBlobTransactionInput): Transaction {
  const { refs, certificate } = input;
  const tx = new Transaction();
  const blob = tx.object(input.blobObjectId);
  tx.moveCall({
    target: target(refs, 'system', 'certify_blob'),
    arguments: [
      tx.object(refs.systemObjectId),
      blob,
      tx.pure.vector('u8', certificate.signature),
      tx.pure.vector('u8', certificate.signersBitmap),
      tx.pure.vector('u8', certificate.message),
    ],
  });
  if (input.postStore.kind === 'transfer') tx.transferObjects([blob], input.postStore.recipient);
  else if (input.postStore.kind === 'share') tx.moveCall({ target: target(refs, 'shared_blob', 'new'), arguments: [blob] });
  return tx;
}

export interface ExtendBlobTransactionInput extends ExtendBlobRequest {
  readonly refs: WalrusPackageRefs;
  readonly walCoins: readonly WalCoinRef[];
}

/** `extend_blob` on an owned Blob, paid from the signer's WAL. */
export function extendBlobTransaction(input: ExtendBlobTransactionInput): Transaction {
  const tx = new Transaction();
  const payment = mergedWalCoin(tx, input.walCoins);
  tx.moveCall({
    target: target(input.refs, 'system', 'extend_blob'),
    arguments: [tx.object(input.refs.systemObjectId), tx.object(input.blobObjectId), tx.pure.u32(input.extendedEpochs), payment],
  });
  return tx;
}

/** `delete_blob`; the freed Storage goes back to `owner`. */
export function deleteBlobTransaction(refs: WalrusPackageRefs, blobObjectId: ObjectId, owner: SuiAddress): Transaction {
  const tx = new Transaction();
  const [storage] = tx.moveCall({
    target: target(refs, 'system', 'delete_blob'),
    arguments: [tx.object(refs.systemObjectId), tx.object(blobObjectId)],
  });
  tx.transferObjects([storage], owner);
  return tx;
}

function addBlobAttributes(
  tx: Transaction,
  refs: WalrusPackageRefs,
  blob: TransactionArgument,
  attributes: Readonly<Record<string, string>>,
): void {
  // A fresh blob: `add_metadata` aborts when the field exists.
  const [metadata] = tx.moveCall({ target: target(refs, 'metadata', 'new') });
  tx.moveCall({ target: target(refs, 'blob', 'add_metadata'), arguments: [blob, metadata] });
  for (const [key, value] of Object.entries(attributes)) {
    tx.moveCall({
      target: target(refs, 'blob', 'insert_or_update_metadata_pair'),
      arguments: [blob, tx.pure.string(key), tx.pure.string(value)],
    });
  }
}

export interface FundSubWalletTransactionInput {
  readonly recipient: SuiAddress;
  /** MIST of SUI for gas, split from the sender's gas coin; 0 sends none. */
  readonly suiAmount: bigint;
  readonly walCoins: readonly WalCoinRef[];
  /** FROST of WAL; 0 sends none. */
  readonly walAmount: bigint;
}

/**
 * Funds a publisher sub-wallet with SUI (for gas) and WAL (for storage) in one transaction: each
 * amount is split off its source coin (the gas coin, the merged WAL coins) and both go to `recipient`.
 */
export function fundSubWalletTransaction(input: FundSubWalletTransactionInput): Transaction {
  const tx = new Transaction();
  const transfers: TransactionObjectArgument[] = [];
  if (input.suiAmount > 0n) transfers.push(tx.splitCoins(tx.gas, [tx.pure.u64(input.suiAmount)])[0]);
  if (input.walAmount > 0n) transfers.push(tx.splitCoins(mergedWalCoin(tx, input.walCoins), [tx.pure.u64(input.walAmount)])[0]);
  if (transfers.length > 0) tx.transferObjects(transfers, input.recipient);
  return tx;
}
