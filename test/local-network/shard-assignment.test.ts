/** Shards are split over nodes unequally, completely and without overlap. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assignShards } from '../../src/local/shard-assignment.ts';

test('every shard is assigned exactly once, in unequal portions', () => {
  for (const [shards, nodes] of [[1000, 10], [10, 4], [7, 7], [31, 5], [1000, 1]]) {
    const assignment = assignShards(shards, nodes);
    assert.equal(assignment.length, nodes);
    const all = assignment.flat().sort((a, b) => a - b);
    assert.deepEqual(all, Array.from({ length: shards }, (_, i) => i), `${shards} over ${nodes}`);
    assert.ok(assignment.every((node) => node.length >= 1));
  }
  const sizes = assignShards(1000, 10).map((node) => node.length);
  assert.ok(new Set(sizes).size > 1, 'portions differ');
  assert.ok(Math.max(...sizes) <= 333, 'no single node holds more than f shards at n = 1000');
});

test('impossible splits are refused', () => {
  assert.throws(() => assignShards(3, 4), RangeError);
  assert.throws(() => assignShards(10, 0), RangeError);
});
