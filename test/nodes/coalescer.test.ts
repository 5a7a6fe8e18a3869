/** Coalescing: callers of one key share one run; the shared work is aborted only when every caller has left. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Coalescer } from '../../src/nodes/coalescer.ts';

describe('Coalescer', () => {
  test('concurrent callers share one run', async () => {
    const coalescer = new Coalescer<number>();
    let runs = 0;
    const work = async () => {
      runs++;
      await new Promise((resolve) => setTimeout(resolve, 20));
      return 42;
    };
    const results = await Promise.all(Array.from({ length: 5 }, () => coalescer.run('k', new AbortController().signal, work)));
    assert.deepEqual(results, [42, 42, 42, 42, 42]);
    assert.equal(runs, 1);
    assert.equal(coalescer.size, 0);
  });

  test('one caller leaving does not cancel the others; the last one does', async () => {
    const coalescer = new Coalescer<string>();
    let sharedSignal: AbortSignal | undefined;
    const work = (signal: AbortSignal) =>
      new Promise<string>((resolve, reject) => {
        sharedSignal = signal;
        const timer = setTimeout(() => resolve('done'), 50);
        signal.addEventListener('abort', () => {
          clearTimeout(timer);
          reject(new Error('cancelled'));
        });
      });
    const first = new AbortController();
    const second = new AbortController();
    const a = coalescer.run('k', first.signal, work);
    const b = coalescer.run('k', second.signal, work);
    first.abort();
    await assert.rejects(a);
    assert.equal(sharedSignal?.aborted, false);
    assert.equal(await b, 'done');

    const third = new AbortController();
    const c = coalescer.run('j', third.signal, work);
    third.abort();
    await assert.rejects(c);
    assert.equal(sharedSignal?.aborted, true);
  });
});
