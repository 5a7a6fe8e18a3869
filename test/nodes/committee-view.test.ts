/**
 * The committee is loaded once for every reader waiting on it, under a signal of its own: one
 * reader leaving does not fail the others (it did: the first caller's signal was the load's), and
 * only when every reader has left is the load itself cancelled.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ChainClient, Committee, CommitteeMember, SystemState } from '../../src/chain/chain-client.ts';
import { CommitteeView } from '../../src/nodes/committee-view.ts';

const N_SHARDS = 4;

/** A chain whose `getSystemState` waits for `release()`, honouring its signal, and counts calls. */
function slowChain() {
  const member: CommitteeMember = { index: 0, nodeId: `0x${'0'.repeat(63)}1`, name: 'node-0', url: 'http://127.0.0.1:9', blsPublicKey: new Uint8Array(48), shards: [0, 1, 2, 3], weight: N_SHARDS };
  const committee: Committee = { epoch: 1, nShards: N_SHARDS, members: [member], memberByShard: Array.from({ length: N_SHARDS }, () => member) };
  const state: SystemState = { epoch: { epoch: 1, startedAtMs: 0, durationMs: 0 }, committee, prices: { storagePricePerUnitSize: 1n, writePricePerUnitSize: 1n }, maxEpochsAhead: 1 };
  let release: () => void = () => undefined;
  const loads: AbortSignal[] = [];
  const chain = {
    getSystemState: ({ signal }: { signal?: AbortSignal } = {}) =>
      new Promise<SystemState>((resolve, reject) => {
        loads.push(signal!);
        release = () => resolve(state);
        signal?.addEventListener('abort', () => reject(signal.reason));
      }),
  } as Partial<ChainClient> as ChainClient;
  return { chain, loads, release: () => release() };
}

describe('CommitteeView: a shared load with its own signal', () => {
  test('the first reader leaving does not fail a reader still waiting; one load serves both', async () => {
    const { chain, loads, release } = slowChain();
    const view = new CommitteeView({ chain, nodeTimeoutMs: 1_000 });
    const first = new AbortController();
    const firstRead = view.get(first.signal);
    const secondRead = view.get(new AbortController().signal);
    first.abort(new Error('the client disconnected'));
    await assert.rejects(firstRead, /the client disconnected/);
    release();
    assert.equal((await secondRead).epoch, 1);
    assert.equal(loads.length, 1);
    assert.equal(loads[0].aborted, false);
    await view.close(true);
  });

  test('when every reader has left, the load is cancelled and the next reader starts afresh', async () => {
    const { chain, loads, release } = slowChain();
    const view = new CommitteeView({ chain, nodeTimeoutMs: 1_000 });
    const a = new AbortController();
    const b = new AbortController();
    const reads = [view.get(a.signal), view.get(b.signal)];
    a.abort(new Error('gone'));
    b.abort(new Error('gone too'));
    await Promise.allSettled(reads);
    assert.equal(loads[0].aborted, true);
    const next = view.get(new AbortController().signal);
    release();
    assert.equal((await next).epoch, 1);
    assert.equal(loads.length, 2);
    await view.close(true);
  });
});
