/**
 * The upload's budget of sliver bytes in flight (src/nodes/upload-pacing.ts): first come, first
 * served; a request larger than the budget waits for all of it; a waiter whose upload is cancelled
 * leaves the queue without taking anything; bytes given back twice count once.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ByteBudget } from '../../src/nodes/upload-pacing.ts';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('ByteBudget', () => {
  const live = new AbortController().signal;

  test('grants what fits at once and the rest in arrival order as bytes come back', async () => {
    const budget = new ByteBudget(100);
    const first = await budget.acquire(60, live);
    assert.ok(first);
    const order: string[] = [];
    const second = budget.acquire(50, live).then((release) => (order.push('second'), release));
    const third = budget.acquire(10, live).then((release) => (order.push('third'), release));
    await tick();
    assert.deepEqual(order, [], 'the small request waits behind the one that does not fit');
    first();
    first();
    const [releaseSecond, releaseThird] = await Promise.all([second, third]);
    assert.deepEqual(order, ['second', 'third']);
    const fourth = budget.acquire(41, live);
    let granted = false;
    void fourth.then(() => (granted = true));
    await tick();
    assert.equal(granted, false, 'a release given twice counted once: 40 bytes are free, not 100');
    releaseSecond!();
    releaseThird!();
    assert.ok(await fourth);
  });

  test('a request larger than the budget waits for all of it', async () => {
    const budget = new ByteBudget(100);
    const small = await budget.acquire(1, live);
    const large = budget.acquire(500, live);
    let granted = false;
    void large.then(() => (granted = true));
    await tick();
    assert.equal(granted, false);
    small!();
    const release = await large;
    assert.ok(release);
    assert.equal(await Promise.race([budget.acquire(1, live), tick().then(() => 'waiting')]), 'waiting', 'it holds the whole budget');
  });

  test('a waiter whose signal aborts leaves the queue, takes nothing, and lets the next one in', async () => {
    const budget = new ByteBudget(100);
    const held = await budget.acquire(90, live);
    const controller = new AbortController();
    const cancelled = budget.acquire(50, controller.signal);
    const next = budget.acquire(10, live);
    controller.abort();
    assert.equal(await cancelled, undefined);
    assert.ok(await next, 'the request behind it fits and is granted');
    assert.equal(await budget.acquire(1, controller.signal), undefined, 'an aborted signal never waits');
    held!();
  });
});
