import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { bcs } from '@mysten/sui/bcs';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import type { TransactionData } from '@mysten/sui/transactions';
import { normalizeSuiAddress, normalizeSuiObjectId } from '@mysten/sui/utils';
import { InsufficientBalanceError, InvalidTransactionError } from '../../src/chain/chain-errors.ts';
import { SuiChainClient } from '../../src/chain/sui-chain-client.ts';
import { BlobRegisteredEvent } from '../../src/chain/sui-bcs.ts';
import { resolveSuiNetwork } from '../../src/chain/sui-network-presets.ts';
import { registrationCost } from '../../src/chain/storage-cost.ts';
import { blobIdToString, blobIdToU256, deriveBlobId } from '../../src/codec/blob-id.ts';
import { FAKE_GAS_BUDGET, FAKE_GAS_PRICE, fakeDigest, FakeSuiClient, moveAbort, type ExecutedTransaction } from './fake-sui-client.ts';
import {
  blobBytes,
  installWalrus,
  STAKING_OBJECT_ID,
  SYSTEM_INITIAL_SHARED_VERSION,
  SYSTEM_OBJECT_ID,
  WAL_COIN_TYPE,
  walrusStateFixture,
  WALRUS_ORIGINAL_ID,
  WALRUS_PACKAGE_ID,
} from './sui-fixtures.ts';

/**
 * SuiChainClient's writes against a fake full node: the transaction is built by the SDK's own
 * resolver (Move signatures from the fake decide object mutability; the gas budget comes from a
 * simulation), dry-run, signed and "executed"; the test then reads the BCS bytes the node received.
 * What this proves: the bytes a real node would get (targets, argument order and encodings, shared
 * and owned inputs, coins, gas), the order build → dry run → execute, and that shortfalls stop
 * before anything is executed. What it does not: that the Move VM accepts them (only the live dry
 * run checks that).
 */
const SUI = '0x2::sui::SUI';
const MIST_PER_SUI = 1_000_000_000n;

function setup() {
  const fixture = walrusStateFixture({ epochState: 'EpochChangeDone' });
  const fake = new FakeSuiClient();
  installWalrus(fake, fixture);
  const network = resolveSuiNetwork({ network: 'custom', rpcUrl: 'http://127.0.0.1:9', systemObjectId: SYSTEM_OBJECT_ID, stakingObjectId: STAKING_OBJECT_ID });
  const signer = new Ed25519Keypair();
  return { fixture, fake, signer, sender: signer.toSuiAddress(), chain: new SuiChainClient({ network, client: fake }) };
}

type Arg = NonNullable<TransactionData['commands'][number]['MoveCall']>['arguments'][number];

/** One argument as what it stands for: a pure value's bytes, a shared or owned object, a result, the gas coin. */
function describeArg(data: TransactionData, arg: Arg): unknown {
  if (arg.$kind === 'GasCoin') return 'gas';
  if (arg.$kind === 'Result') return { result: arg.Result };
  if (arg.$kind === 'NestedResult') return { result: arg.NestedResult };
  const input = data.inputs[arg.Input];
  if (input.$kind === 'Pure') return { pure: Buffer.from(input.Pure.bytes, 'base64').toString('hex') };
  if (input.$kind === 'Object' && input.Object.$kind === 'SharedObject') {
    const { objectId, mutable, initialSharedVersion } = input.Object.SharedObject;
    return { shared: normalizeSuiObjectId(objectId), mutable, initialSharedVersion: String(initialSharedVersion) };
  }
  if (input.$kind === 'Object' && input.Object.$kind === 'ImmOrOwnedObject') {
    const { objectId, version, digest } = input.Object.ImmOrOwnedObject;
    return { owned: normalizeSuiObjectId(objectId), version: String(version), digest };
  }
  return input.$kind;
}

function commands(executed: ExecutedTransaction): { kind: string; target?: string; args: unknown[] }[] {
  const { data } = executed;
  return data.commands.map((command) => {
    const d = (arg: Arg) => describeArg(data, arg);
    if (command.$kind === 'MoveCall') {
      const call = command.MoveCall;
      return { kind: 'MoveCall', target: `${normalizeSuiObjectId(call.package)}::${call.module}::${call.function}`, args: call.arguments.map(d) };
    }
    if (command.$kind === 'MergeCoins') return { kind: 'MergeCoins', args: [d(command.MergeCoins.destination), ...command.MergeCoins.sources.map(d)] };
    if (command.$kind === 'SplitCoins') return { kind: 'SplitCoins', args: [d(command.SplitCoins.coin), ...command.SplitCoins.amounts.map(d)] };
    if (command.$kind === 'TransferObjects') return { kind: 'TransferObjects', args: [...command.TransferObjects.objects.map(d), d(command.TransferObjects.address)] };
    return { kind: command.$kind, args: [] };
  });
}

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const u64 = (n: bigint | number) => hex(bcs.u64().serialize(n).toBytes());
const u32 = (n: number) => hex(bcs.u32().serialize(n).toBytes());
const address = (a: string) => hex(bcs.Address.serialize(a).toBytes());
const byteVector = (bytes: Uint8Array) => hex(bcs.vector(bcs.u8()).serialize(bytes).toBytes());
const systemInput = (mutable: boolean) => ({ shared: SYSTEM_OBJECT_ID, mutable, initialSharedVersion: SYSTEM_INITIAL_SHARED_VERSION });
const coinInput = (coin: { objectId: string; version: string; digest: string }) => ({ owned: normalizeSuiObjectId(coin.objectId), version: coin.version, digest: coin.digest });
const callIndex = (fake: FakeSuiClient, method: string, nth = 0) => fake.calls.map((call, i) => (call.method === method ? i : -1)).filter((i) => i >= 0)[nth];

describe('SuiChainClient writes (fake full node; transactions built by the SDK resolver)', () => {
  const rootHash = randomBytes(32);
  const size = 4096;
  const blobIdBytes = deriveBlobId(rootHash, size);
  const encodedLength = 66_034_000;
  const request = { blobId: blobIdToString(blobIdBytes), rootHash, size, encodedLength, epochs: 3, deletable: true };

  /** The node's side of register: a Blob owned by the sender and its BlobRegistered event. */
  function registersBlobs(fake: FakeSuiClient, epoch: number): string[] {
    const created: string[] = [];
    fake.onExecute = (executed) => {
      const id = normalizeSuiObjectId(`0xb10b${created.length}`);
      created.push(id);
      const storage = { id: normalizeSuiObjectId(`0x5707${created.length}`), startEpoch: epoch, endEpoch: epoch + request.epochs, size: BigInt(encodedLength) };
      const blob = { id, blobId: blobIdToU256(blobIdBytes), size: BigInt(size), registeredEpoch: epoch, certifiedEpoch: null, deletable: true, storage };
      fake.addObject({ objectId: id, type: `${WALRUS_ORIGINAL_ID}::blob::Blob`, owner: { $kind: 'AddressOwner', AddressOwner: executed.sender }, content: blobBytes(blob) });
      const event = BlobRegisteredEvent.serialize({ epoch, blob_id: blobIdToU256(blobIdBytes), size, encoding_type: 1, end_epoch: epoch + request.epochs, deletable: true, object_id: id }).toBytes();
      return { events: [{ eventType: `${WALRUS_ORIGINAL_ID}::events::BlobRegistered`, bcs: event }], created: [id] };
    };
    return created;
  }

  it('register: merged WAL coins pay reserve_space and register_blob on the shared System; gas from the dry run', async () => {
    const { fixture, fake, signer, sender, chain } = setup();
    const cost = registrationCost({ storagePricePerUnitSize: 11_000n, writePricePerUnitSize: 20_000n }, encodedLength, encodedLength, request.epochs);
    const big = fake.addCoin(sender, WAL_COIN_TYPE, cost.total - 1_000n);
    const small = fake.addCoin(sender, WAL_COIN_TYPE, 1_000n);
    fake.addCoin(sender, WAL_COIN_TYPE, 10n);
    const gasCoin = fake.addCoin(sender, SUI, 10n * MIST_PER_SUI);
    const created = registersBlobs(fake, fixture.epoch);

    const result = await chain.registerBlob(signer, request);

    assert.equal(fake.executed.length, 1);
    const [executed] = fake.executed;
    assert.equal(executed.sender, normalizeSuiAddress(sender));
    assert.deepEqual(commands(executed), [
      { kind: 'MergeCoins', args: [coinInput(big), coinInput(small)] },
      {
        kind: 'MoveCall',
        target: `${WALRUS_PACKAGE_ID}::system::reserve_space`,
        args: [systemInput(true), { pure: u64(encodedLength) }, { pure: u32(request.epochs) }, coinInput(big)],
      },
      {
        kind: 'MoveCall',
        target: `${WALRUS_PACKAGE_ID}::system::register_blob`,
        args: [
          systemInput(true),
          { result: [1, 0] },
          // A u256 in BCS is 32 little-endian bytes: exactly the raw blob ID and root hash.
          { pure: hex(blobIdBytes) },
          { pure: hex(rootHash) },
          { pure: u64(size) },
          { pure: '01' },
          { pure: '01' },
          coinInput(big),
        ],
      },
      { kind: 'TransferObjects', args: [{ result: [2, 0] }, { pure: address(sender) }] },
    ]);
    assert.equal(executed.data.gasData.budget, String(FAKE_GAS_BUDGET), 'budget from the simulated gas use');
    assert.equal(executed.data.gasData.price, String(FAKE_GAS_PRICE));
    assert.deepEqual(executed.data.gasData.payment?.map((coin) => coinInput({ ...coin, version: String(coin.version) })), [coinInput(gasCoin)]);

    assert.equal(fake.simulated.length, 2, 'the SDK simulates for the budget, the client dry-runs the final bytes');
    assert.deepEqual(fake.simulated[1], executed.bytes, 'the dry run saw exactly the executed bytes');
    assert.ok(callIndex(fake, 'simulateTransaction', 1) < callIndex(fake, 'executeTransaction'));

    assert.deepEqual(result.cost, cost);
    assert.equal(result.blobObject.id, created[0]);
    assert.equal(result.blobObject.blobId, request.blobId);
    assert.equal(result.events[0].type, 'blobRegistered');
  });

  it('two writes of one signer run one after the other, so they never select the same coins', async () => {
    const { fixture, fake, signer, sender, chain } = setup();
    fake.addCoin(sender, WAL_COIN_TYPE, 100n * MIST_PER_SUI);
    fake.addCoin(sender, SUI, 10n * MIST_PER_SUI);
    registersBlobs(fake, fixture.epoch);
    await Promise.all([chain.registerBlob(signer, request), chain.registerBlob(signer, request)]);
    const walListings = fake.calls.map((call, i) => ({ call, i })).filter(({ call }) => call.method === 'listCoins' && (call.options as { coinType: string }).coinType.endsWith('::wal::WAL'));
    assert.equal(walListings.length, 2);
    assert.ok(callIndex(fake, 'executeTransaction', 0) < walListings[1].i, 'the second write picks coins after the first executed');
  });

  it('certify: System passed immutably, the owned Blob pinned, certificate bytes as vector<u8>; share wraps it', async () => {
    const { fixture, fake, signer, sender, chain } = setup();
    fake.addCoin(sender, SUI, MIST_PER_SUI);
    const blobId = normalizeSuiObjectId('0xb10b');
    const storage = { id: normalizeSuiObjectId('0x5707'), startEpoch: 7, endEpoch: 10, size: BigInt(encodedLength) };
    const blob = { id: blobId, blobId: blobIdToU256(blobIdBytes), size: BigInt(size), registeredEpoch: 7, certifiedEpoch: null, deletable: false, storage };
    const owned = fake.addObject({ objectId: blobId, type: `${WALRUS_ORIGINAL_ID}::blob::Blob`, owner: { $kind: 'AddressOwner', AddressOwner: sender }, content: blobBytes(blob), version: '4' });
    const sharedId = normalizeSuiObjectId('0x5ba4ed');
    fake.onExecute = () => {
      fake.objects.delete(blobId);
      const content = new Uint8Array([...bcs.Address.serialize(sharedId).toBytes(), ...blobBytes({ ...blob, certifiedEpoch: fixture.epoch }), ...bcs.u64().serialize(0).toBytes()]);
      fake.addObject({ objectId: sharedId, type: `${WALRUS_ORIGINAL_ID}::shared_blob::SharedBlob`, owner: { $kind: 'Shared', Shared: { initialSharedVersion: '11' } }, content });
      return { created: [sharedId] };
    };
    const certificate = { signature: randomBytes(96), signersBitmap: new Uint8Array([0b1011]), message: randomBytes(40) };

    const result = await chain.certifyBlob(signer, { blobObjectId: blobId, certificate, postStore: { kind: 'share' } });

    const blobInput = { owned: blobId, version: '4', digest: owned.digest };
    assert.deepEqual(commands(fake.executed[0]), [
      {
        kind: 'MoveCall',
        target: `${WALRUS_PACKAGE_ID}::system::certify_blob`,
        args: [systemInput(false), blobInput, { pure: byteVector(certificate.signature) }, { pure: byteVector(certificate.signersBitmap) }, { pure: byteVector(certificate.message) }],
      },
      { kind: 'MoveCall', target: `${WALRUS_PACKAGE_ID}::shared_blob::new`, args: [blobInput] },
    ]);
    assert.equal(result.sharedBlobObjectId, sharedId);
    assert.deepEqual(result.blobObject.owner, { kind: 'shared', sharedObjectId: sharedId });
    assert.equal(result.blobObject.certifiedEpoch, fixture.epoch);
  });

  it('too little WAL: InsufficientBalanceError (WAL) before anything is simulated or executed', async () => {
    const { fake, signer, sender, chain } = setup();
    fake.addCoin(sender, WAL_COIN_TYPE, 1_000n);
    fake.addCoin(sender, SUI, MIST_PER_SUI);
    const cost = registrationCost({ storagePricePerUnitSize: 11_000n, writePricePerUnitSize: 20_000n }, encodedLength, encodedLength, request.epochs);
    await assert.rejects(
      chain.registerBlob(signer, request),
      (error: unknown) => error instanceof InsufficientBalanceError && error.asset === 'WAL' && error.required === cost.total && error.available === 1_000n,
    );
    assert.equal(fake.simulated.length, 0);
    assert.equal(fake.executed.length, 0);
  });

  it('no SUI at all: InsufficientBalanceError (SUI) before building', async () => {
    const { fake, signer, sender, chain } = setup();
    fake.addCoin(sender, WAL_COIN_TYPE, 100n * MIST_PER_SUI);
    await assert.rejects(chain.registerBlob(signer, request), (error: unknown) => error instanceof InsufficientBalanceError && error.asset === 'SUI' && error.available === 0n && /no SUI/.test(error.message));
    assert.equal(fake.simulated.length, 0);
    assert.equal(fake.executed.length, 0);
  });

  it('SUI below the gas budget: InsufficientBalanceError (SUI) naming both amounts, nothing executed', async () => {
    const { fake, signer, sender, chain } = setup();
    fake.addCoin(sender, WAL_COIN_TYPE, 100n * MIST_PER_SUI);
    fake.addCoin(sender, SUI, FAKE_GAS_BUDGET - 1n);
    await assert.rejects(
      chain.registerBlob(signer, request),
      (error: unknown) => error instanceof InsufficientBalanceError && error.asset === 'SUI' && error.required === FAKE_GAS_BUDGET && error.available === FAKE_GAS_BUDGET - 1n,
    );
    assert.equal(fake.executed.length, 0);
  });

  it('a Move abort in either simulation stops the write: named InvalidTransactionError, or InsufficientBalanceError for balance::split', async () => {
    for (const from of [0, 1]) {
      const { fake, signer, sender, chain } = setup();
      fake.addCoin(sender, WAL_COIN_TYPE, 100n * MIST_PER_SUI);
      fake.addCoin(sender, SUI, MIST_PER_SUI);
      fake.simulationFailure = moveAbort(WALRUS_PACKAGE_ID, 'blob', 'new', 3, 'EInvalidBlobId');
      fake.simulationFailureFrom = from;
      await assert.rejects(chain.registerBlob(signer, request), (error: unknown) => error instanceof InvalidTransactionError && /dry run failed in blob::new: EInvalidBlobId/.test(error.message));
      assert.equal(fake.executed.length, 0, `failure from simulation ${from}`);
    }
    const { fake, signer, sender, chain } = setup();
    fake.addCoin(sender, WAL_COIN_TYPE, 100n * MIST_PER_SUI);
    fake.addCoin(sender, SUI, MIST_PER_SUI);
    fake.simulationFailure = moveAbort('0x2', 'balance', 'split', 2);
    await assert.rejects(chain.registerBlob(signer, request), (error: unknown) => error instanceof InsufficientBalanceError && error.asset === 'WAL');
    assert.equal(fake.executed.length, 0);
  });

  describe('funding a sub-wallet', () => {
    const recipient = normalizeSuiAddress('0x5b');

    it('one transaction sends SUI split off the gas coin and WAL split off the merged WAL coins', async () => {
      const { fake, signer, sender, chain } = setup();
      const a = fake.addCoin(sender, WAL_COIN_TYPE, 3_000n);
      const b = fake.addCoin(sender, WAL_COIN_TYPE, 4_000n);
      fake.addCoin(sender, SUI, 10n * MIST_PER_SUI);
      const receipt = await chain.fundWallet(signer, { recipient, wal: 5_000n, gas: 700_000_000n });
      assert.ok(receipt !== null);
      assert.equal(receipt.digest, fake.executed[0].digest);
      assert.deepEqual(commands(fake.executed[0]), [
        { kind: 'SplitCoins', args: ['gas', { pure: u64(700_000_000n) }] },
        { kind: 'MergeCoins', args: [coinInput(b), coinInput(a)] },
        { kind: 'SplitCoins', args: [coinInput(b), { pure: u64(5_000n) }] },
        { kind: 'TransferObjects', args: [{ result: [0, 0] }, { result: [2, 0] }, { pure: address(recipient) }] },
      ]);
    });

    it('SUI only, no WAL coins touched; nothing to send, no transaction', async () => {
      const { fake, signer, sender, chain } = setup();
      fake.addCoin(sender, SUI, 10n * MIST_PER_SUI);
      await chain.fundWallet(signer, { recipient, wal: 0n, gas: 5n });
      assert.deepEqual(commands(fake.executed[0]).map((c) => c.kind), ['SplitCoins', 'TransferObjects']);
      const callsBefore = fake.calls.length;
      assert.equal(await chain.fundWallet(signer, { recipient, wal: 0n, gas: 0n }), null);
      assert.equal(fake.calls.length, callsBefore);
    });

    it('the SUI sent counts against the wallet’s SUI together with the gas budget', async () => {
      const { fake, signer, sender, chain } = setup();
      fake.addCoin(sender, WAL_COIN_TYPE, 10_000n);
      fake.addCoin(sender, SUI, FAKE_GAS_BUDGET + 700_000_000n - 1n);
      await assert.rejects(
        chain.fundWallet(signer, { recipient, wal: 5_000n, gas: 700_000_000n }),
        (error: unknown) => error instanceof InsufficientBalanceError && error.asset === 'SUI' && error.required === FAKE_GAS_BUDGET + 700_000_000n && /plus the 700000000 MIST sent/.test(error.message),
      );
      assert.equal(fake.executed.length, 0);
    });
  });

  it('extend and delete run through the same path (targets and inputs)', async () => {
    const { fake, signer, sender, chain } = setup();
    fake.addCoin(sender, WAL_COIN_TYPE, 100n * MIST_PER_SUI);
    fake.addCoin(sender, SUI, MIST_PER_SUI);
    const blobId = normalizeSuiObjectId('0xb10b');
    const blob = { id: blobId, blobId: 5n, size: 10n, registeredEpoch: 7, certifiedEpoch: 7, deletable: true, storage: { id: normalizeSuiObjectId('0x5707'), startEpoch: 7, endEpoch: 9, size: 1_048_576n } };
    const owned = fake.addObject({ objectId: blobId, type: `${WALRUS_ORIGINAL_ID}::blob::Blob`, owner: { $kind: 'AddressOwner', AddressOwner: sender }, content: blobBytes(blob), version: '6', digest: fakeDigest() });
    const extended = await chain.extendBlob(signer, { blobObjectId: blobId, extendedEpochs: 2 });
    assert.equal(extended.cost, 11_000n * 2n, 'one storage unit for two epochs');
    const [extendCall] = commands(fake.executed[0]);
    assert.equal(extendCall.target, `${WALRUS_PACKAGE_ID}::system::extend_blob`);
    assert.deepEqual(extendCall.args.slice(0, 3), [systemInput(true), { owned: blobId, version: '6', digest: owned.digest }, { pure: u32(2) }]);
    await chain.deleteBlob(signer, { blobObjectId: blobId });
    const [deleteCall, transfer] = commands(fake.executed[1]);
    assert.deepEqual(deleteCall, { kind: 'MoveCall', target: `${WALRUS_PACKAGE_ID}::system::delete_blob`, args: [systemInput(false), { owned: blobId, version: '6', digest: owned.digest }] });
    assert.deepEqual(transfer.args.at(-1), { pure: address(sender) });
  });
});
