/**
 * The fan-out's guarantees, which every flow over the committee relies on: one settlement, no
 * exception from a node call or a judgement escaping as an unhandled rejection, faulty nodes
 * distrusted, the caller leaving cancels everything, stragglers kept only under a background signal.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { FanOut } from '../../src/nodes/fan-out.ts';
import type { NodeOutcome } from '../../src/nodes/node-outcome.ts';

const node = (index: number) => ({ index });
const ok = <T>(value: T): NodeOutcome<T> => ({ kind: 'ok', value });

/** A node call that resolves with `outcome` after `ms`, or `aborted` when its signal fires first. */
function answer<T>(outcome: NodeOutcome<T>, ms: number, seen?: AbortSignal[]) {
  return (signal: AbortSignal): Promise<NodeOutcome<T>> => {
    seen?.push(signal);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(outcome), ms);
      signal.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve({ kind: 'aborted' });
      });
    });
  };
}

describe('FanOut', () => {
  test('settles once; later outcomes are not judged; in-flight requests are cancelled', async () => {
    const fan = new FanOut<number>({ signal: new AbortController().signal });
    const judged: number[] = [];
    const signals: AbortSignal[] = [];
    for (const [i, ms] of [5, 10, 500].entries()) {
      fan.launch(node(i), answer(ok(i), ms, signals), (outcome) => {
        judged.push(i);
        if (outcome.kind === 'ok') fan.finish(outcome.value);
      });
    }
    assert.equal(await fan.result, 0);
    await delay(20);
    assert.deepEqual(judged, [0]);
    assert.ok(signals.every((signal) => signal.aborted));
  });

  test('a call that throws or rejects is a transport fault, and the node is distrusted', async () => {
    const fan = new FanOut<string[]>({ signal: new AbortController().signal });
    const seen: string[] = [];
    const judge = (outcome: NodeOutcome<unknown>) => seen.push(outcome.kind === 'faulty' ? outcome.fault : outcome.kind);
    fan.launch(node(1), () => {
      throw new TypeError("Cannot read properties of null (reading 'data')");
    }, judge);
    fan.launch(node(2), () => Promise.reject(new Error('EPIPE')), judge);
    fan.onIdle = () => fan.finish(seen);
    assert.deepEqual(await fan.result, ['transport', 'transport']);
    assert.equal(fan.trusts(node(1)), false);
    assert.equal(fan.trusts(node(2)), false);
    assert.equal(fan.trusts(node(3)), true);
  });

  test('a judgement that throws rejects the result instead of leaving an unhandled rejection', async () => {
    const fan = new FanOut<number>({ signal: new AbortController().signal });
    fan.launch(node(0), answer(ok(1), 1), () => {
      throw new Error('a bug in the flow');
    });
    await assert.rejects(fan.result, /a bug in the flow/);
  });

  test('the caller leaving rejects with its reason and aborts every request', async () => {
    const caller = new AbortController();
    const fan = new FanOut<number>({ signal: caller.signal });
    const signals: AbortSignal[] = [];
    fan.launch(node(0), answer(ok(1), 1_000, signals), () => undefined);
    setTimeout(() => caller.abort(new Error('the client disconnected')), 5);
    await assert.rejects(fan.result, /the client disconnected/);
    assert.ok(signals[0].aborted);
  });

  test('with a background signal, stragglers outlive the settlement until it aborts', async () => {
    const caller = new AbortController();
    const background = new AbortController();
    const fan = new FanOut<string>({ signal: caller.signal, background: background.signal });
    const signals: AbortSignal[] = [];
    fan.launch(node(0), answer(ok(0), 1, signals), () => fan.finish('quorum'));
    fan.launch(node(1), answer(ok(1), 10_000, signals), () => undefined);
    assert.equal(await fan.result, 'quorum');
    caller.abort(new Error('the client has its answer and left'));
    await delay(5);
    assert.equal(signals[1].aborted, false, 'the caller leaving after the answer does not stop stragglers');
    background.abort(new Error('shutting down'));
    assert.equal(signals[1].aborted, true);
  });

  test('timers run unless the fan-out settled first; a timer that throws rejects', async () => {
    const fan = new FanOut<string>({ signal: new AbortController().signal });
    fan.launch(node(0), answer(ok(0), 1_000), () => undefined);
    let hedged = false;
    fan.schedule('hedge', 5, () => {
      hedged = true;
      fan.finish('hedged');
    });
    fan.schedule('never', 50, () => assert.fail('cancelled by the settlement'));
    assert.equal(await fan.result, 'hedged');
    assert.ok(hedged);
    await delay(60);
    const failing = new FanOut<string>({ signal: new AbortController().signal });
    failing.launch(node(0), answer(ok(0), 1_000), () => undefined);
    failing.schedule('verify', 0, () => {
      throw new Error('verifier bug');
    });
    await assert.rejects(failing.result, /verifier bug/);
  });
});
