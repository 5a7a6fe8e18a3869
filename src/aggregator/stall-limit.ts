/**
 * How long a read of particular slivers — a byte range's rows, a quilt patch's columns, one row of
 * a streamed read — waits for their own nodes without progress before it takes its fallback (a
 * full read, or rebuilding the rows from other nodes): a few hedge delays, plus the time the
 * slivers take at a slow node's pace, so that an honest node sending a large sliver is not
 * abandoned while a dripping one is.
 */
const STALL_HEDGES = 4;
const SLOW_NODE_BYTES_PER_MS = 1024;

export function stallLimitMs(hedgeDelayMs: number, sliverBytes: number): number {
  return STALL_HEDGES * hedgeDelayMs + sliverBytes / SLOW_NODE_BYTES_PER_MS;
}
