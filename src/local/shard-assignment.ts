/**
 * Splits n shards over the nodes in unequal, deterministic portions (node i weighs i + 1), as
 * stake makes them unequal on mainnet; contiguous ranges keep the assignment easy to read.
 * Every node gets at least one shard.
 */
export function assignShards(nShards: number, nodeCount: number): number[][] {
  if (nodeCount < 1 || nShards < nodeCount) throw new RangeError(`cannot split ${nShards} shards over ${nodeCount} nodes`);
  const weights = Array.from({ length: nodeCount }, (_, i) => i + 1);
  const totalWeight = weights.reduce((a, b) => a + b, 0);
  const counts = weights.map((w) => Math.max(1, Math.floor((nShards * w) / totalWeight)));
  // Hand the rounding remainder (or excess) to the heaviest nodes first.
  let excess = counts.reduce((a, b) => a + b, 0) - nShards;
  for (let i = nodeCount - 1; excess !== 0; i = (i - 1 + nodeCount) % nodeCount) {
    if (excess > 0 && counts[i] > 1) {
      counts[i]--;
      excess--;
    } else if (excess < 0) {
      counts[i]++;
      excess++;
    }
  }
  const assignment: number[][] = [];
  let next = 0;
  for (const count of counts) {
    assignment.push(Array.from({ length: count }, (_, k) => next + k));
    next += count;
  }
  return assignment;
}
