import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { Transaction, type TransactionResult } from '@mysten/sui/transactions';
import { normalizeSuiObjectId } from '@mysten/sui/utils';
import { blobIdToString, blobIdToU256, deriveBlobId } from '../../src/codec/blob-id.ts';
import { InsufficientBalanceError } from '../../src/chain/chain-errors.ts';
import {
  certifyBlobTransaction,
  deleteBlobTransaction,
  extendBlobTransaction,
  fundSubWalletTransaction,
  registerBlobTransaction,
  selectWalCoins,
  type WalCoinRef,
  type WalrusPackageRefs,
} from '../../src/chain/sui-transactions.ts';
import { sdkBlobModuleSource, sdkSystemModuleSource } from './sui-fixtures.ts';

/**
 * PTBs built by our code, inspected without a network. The oracle is the SDK's generated Move
 * bindings: the same calls built with them must give the same targets and argument encodings.
 * What this does not prove: that the live package still has these signatures (the dry run checks
 * that at run time).
 */
type Binding = (options: { package: string; arguments: Record<string, unknown> }) => (tx: Transaction) => TransactionResult;
const sdkSystem = (await import(sdkSystemModuleSource.href)) as Record<string, Binding>;
const sdkBlob = (await import(sdkBlobModuleSource.href)) as Record<string, Binding>;

const refs: WalrusPackageRefs = {
  packageId: normalizeSuiObjectId('0x9a'),
  systemObjectId: normalizeSuiObjectId('0x5e'),
  walCoinType: `${normalizeSuiObjectId('0x8b')}::wal::WAL`,
};
const owner = normalizeSuiObjectId('0x0101');
const coins: WalCoinRef[] = [
  { objectId: normalizeSuiObjectId('0xc1'), version: '3', digest: '4vJ9JU1bJJE96FWSJKvHsmmFADCg4gpZQff4P3bkLKi', balance: 5n },
  { objectId: normalizeSuiObjectId('0xc2'), version: '4', digest: '4vJ9JU1bJJE96FWSJKvHsmmFADCg4gpZQff4P3bkLKi', balance: 50n },
  { objectId: normalizeSuiObjectId('0xc3'), version: '5', digest: '4vJ9JU1bJJE96FWSJKvHsmmFADCg4gpZQff4P3bkLKi', balance: 20n },
];

type Described = { kind: string; value: unknown };

/** Each command's arguments resolved to what they stand for: a pure value's bytes, an object, a result. */
function describe_(tx: Transaction): { kind: string; target?: string; args: Described[] }[] {
  const data = tx.getData();
  const arg = (a: { $kind: string; Input?: number; Result?: number; NestedResult?: [number, number] }): Described => {
    if (a.$kind === 'Input') {
      const input = data.inputs[a.Input!];
      // Pure values are kept as base64 of their BCS bytes.
      if (input.$kind === 'Pure') return { kind: 'pure', value: input.Pure.bytes };
      if (input.$kind === 'UnresolvedObject') return { kind: 'object', value: normalizeSuiObjectId(input.UnresolvedObject.objectId) };
      if (input.$kind === 'Object' && input.Object.$kind === 'ImmOrOwnedObject') return { kind: 'object', value: normalizeSuiObjectId(input.Object.ImmOrOwnedObject.objectId) };
      return { kind: input.$kind, value: null };
    }
    if (a.$kind === 'Result') return { kind: 'result', value: a.Result };
    if (a.$kind === 'NestedResult') return { kind: 'result', value: a.NestedResult![0] };
    return { kind: a.$kind, value: null };
  };
  return data.commands.map((command) => {
    if (command.$kind === 'MoveCall') {
      const call = command.MoveCall;
      return { kind: 'MoveCall', target: `${normalizeSuiObjectId(call.package)}::${call.module}::${call.function}`, args: call.arguments.map(arg) };
    }
    if (command.$kind === 'TransferObjects') return { kind: 'TransferObjects', args: [...command.TransferObjects.objects.map(arg), arg(command.TransferObjects.address)] };
    if (command.$kind === 'MergeCoins') return { kind: 'MergeCoins', args: [arg(command.MergeCoins.destination), ...command.MergeCoins.sources.map(arg)] };
    if (command.$kind === 'SplitCoins') return { kind: 'SplitCoins', args: [arg(command.SplitCoins.coin), ...command.SplitCoins.amounts.map(arg)] };
    return { kind: command.$kind, args: [] };
  });
}

const moveCalls = (tx: Transaction) => describe_(tx).filter((c) => c.kind === 'MoveCall');

describe('Walrus PTBs (oracle: @mysten/walrus generated Move bindings)', () => {
  const rootHash = randomBytes(32);
  const size = 1000;
  const blobId = blobIdToString(deriveBlobId(rootHash, size));

  it('register: merge coins, reserve_space, register_blob, attributes, transfer to the owner', () => {
    const selected = selectWalCoins(coins, 60n);
    const ours = registerBlobTransaction({ refs, owner, walCoins: selected, blobId, rootHash, size, encodedLength: 66_000_000, epochs: 3, deletable: true, attributes: { a: 'b' } });

    const oracle = new Transaction();
    const [first, ...rest] = selected.map((c) => oracle.objectRef(c));
    oracle.mergeCoins(first, rest);
    const storage = oracle.add(sdkSystem.reserveSpace({ package: refs.packageId, arguments: { self: refs.systemObjectId, storageAmount: 66_000_000, epochsAhead: 3, payment: first } }));
    const blob = oracle.add(
      sdkSystem.registerBlob({
        package: refs.packageId,
        arguments: { self: refs.systemObjectId, storage, blobId: blobIdToU256(Buffer.from(blobId, 'base64url')), rootHash: blobIdToU256(rootHash), size, encodingType: 1, deletable: true, writePayment: first },
      }),
    );
    const metadata = oracle.moveCall({ target: `${refs.packageId}::metadata::new` });
    oracle.add(sdkBlob.addMetadata({ package: refs.packageId, arguments: { self: blob, metadata } }));
    oracle.add(sdkBlob.insertOrUpdateMetadataPair({ package: refs.packageId, arguments: { self: blob, key: 'a', value: 'b' } }));
    oracle.transferObjects([blob], owner);

    assert.deepEqual(describe_(ours), describe_(oracle));
    const [merge] = describe_(ours);
    assert.deepEqual(merge.args.map((a) => a.value), [coins[1].objectId, coins[2].objectId], 'largest coins first, merged into one');
  });

  it('certify: certify_blob argument order and bytes; transfer and share post-store actions', () => {
    const certificate = { signature: randomBytes(96), signersBitmap: new Uint8Array([0b1011]), message: randomBytes(40) };
    const blobObjectId = normalizeSuiObjectId('0xb10b');
    const oracle = new Transaction();
    oracle.add(sdkSystem.certifyBlob({ package: refs.packageId, arguments: { self: refs.systemObjectId, blob: blobObjectId, signature: certificate.signature, signersBitmap: certificate.signersBitmap, message: certificate.message } }));
    const keep = certifyBlobTransaction({ refs, blobObjectId, certificate, postStore: { kind: 'keep' } });
    assert.deepEqual(describe_(keep), describe_(oracle));

    const recipient = normalizeSuiObjectId('0x7e');
    const transfer = describe_(certifyBlobTransaction({ refs, blobObjectId, certificate, postStore: { kind: 'transfer', recipient } }));
    assert.equal(transfer.length, 2);
    assert.equal(transfer[1].kind, 'TransferObjects');
    assert.deepEqual(transfer[1].args[0], { kind: 'object', value: blobObjectId });
    assert.equal(transfer[1].args[1].value, Buffer.from(recipient.slice(2), 'hex').toString('base64'), 'recipient address as a pure argument');

    const share = moveCalls(certifyBlobTransaction({ refs, blobObjectId, certificate, postStore: { kind: 'share' } }));
    assert.equal(share[1].target, `${refs.packageId}::shared_blob::new`);
    assert.deepEqual(share[1].args, [{ kind: 'object', value: blobObjectId }]);
  });

  it('extend and delete match the bindings; deleted storage returns to the owner', () => {
    const blobObjectId = normalizeSuiObjectId('0xb10b');
    const walCoins = [coins[1]];
    const oracle = new Transaction();
    oracle.add(sdkSystem.extendBlob({ package: refs.packageId, arguments: { self: refs.systemObjectId, blob: blobObjectId, extendedEpochs: 4, payment: oracle.objectRef(walCoins[0]) } }));
    assert.deepEqual(describe_(extendBlobTransaction({ refs, walCoins, blobObjectId, extendedEpochs: 4 })), describe_(oracle));

    const deleteOracle = new Transaction();
    const storage = deleteOracle.add(sdkSystem.deleteBlob({ package: refs.packageId, arguments: { self: refs.systemObjectId, blob: blobObjectId } }));
    deleteOracle.transferObjects([storage], owner);
    assert.deepEqual(describe_(deleteBlobTransaction(refs, blobObjectId, owner)), describe_(deleteOracle));
  });

  it('sub-wallet funding splits exactly the amounts asked, WAL alone or with SUI for gas', () => {
    const recipient = normalizeSuiObjectId('0x5b');
    const walOnly = describe_(fundSubWalletTransaction({ recipient, suiAmount: 0n, walCoins: [coins[0], coins[2]], walAmount: 21n }));
    assert.deepEqual(walOnly.map((c) => c.kind), ['MergeCoins', 'SplitCoins', 'TransferObjects']);
    assert.equal(walOnly[1].args[1].value, Buffer.from([21, 0, 0, 0, 0, 0, 0, 0]).toString('base64'), 'u64 21');

    const fund = describe_(fundSubWalletTransaction({ recipient, suiAmount: 7n, walCoins: [coins[1]], walAmount: 9n }));
    assert.deepEqual(fund.map((c) => c.kind), ['SplitCoins', 'SplitCoins', 'TransferObjects']);
    assert.equal(fund[0].args[0].kind, 'GasCoin', 'SUI comes from the gas coin');
    assert.deepEqual(fund[1].args[0], { kind: 'object', value: coins[1].objectId });
    assert.equal(fund[2].args.length, 3);
  });

  it('coin selection takes the fewest largest coins and reports a shortfall clearly', () => {
    assert.deepEqual(selectWalCoins(coins, 50n).map((c) => c.balance), [50n]);
    assert.deepEqual(selectWalCoins(coins, 51n).map((c) => c.balance), [50n, 20n]);
    assert.throws(
      () => selectWalCoins(coins, 76n),
      (error: unknown) => error instanceof InsufficientBalanceError && error.required === 76n && error.available === 75n,
    );
    assert.throws(() => selectWalCoins([], 1n), InsufficientBalanceError);
  });
});
