/**
 * A streamed read (docs/http-api.md §1.4, docs/reliability.md §3): bytes `start…end` of a blob as
 * the systematic rows holding them (primary slivers 0…p−1; the blob is their concatenation),
 * yielded in order as soon as each is verified. A bounded window of rows is in flight ahead of the
 * consumer — it starts small so the first row does not share the links with many others, and
 * grows by one row per row sent — and it moves only as fast as the consumer takes rows, so memory
 * stays bounded whatever the blob's size and a slow client slows its own node requests.
 *
 * When a row's node fails or lies, that node is not asked again; its rows from there on are
 * rebuilt from other nodes (`row-recovery.ts`) and the stream goes on where it was. When they
 * cannot be rebuilt the iterator throws: what was sent stays correct, the rest never comes.
 */
import { ClientDisconnectedError } from '../errors/gateway-errors.ts';

/** Rows in flight when a stream starts; one more for every row sent, up to the plan's window. */
const INITIAL_WINDOW_ROWS = 2;

/** One row as its own node served it: verified bytes, or lost (down, too slow, or lying). */
export type RowFetch = { readonly kind: 'row'; readonly data: Uint8Array } | { readonly kind: 'lost'; readonly detail: string };

/** Where a stream's rows come from; `blob-reader.ts` binds it to one blob. */
export interface RowSource {
  /** Member index of the node holding systematic row `row`. */
  owner(row: number): number;
  /** Row `row` from its own node, verified against the metadata; rejects only when `signal` aborts. */
  fetch(row: number, signal: AbortSignal): Promise<RowFetch>;
  /**
   * Rebuilds `rows` without asking the `exclude`d members, and may return any of `alsoRows` too
   * (when it decoded them anyway); throws when that cannot be done.
   */
  recover(rows: readonly number[], alsoRows: readonly number[], exclude: ReadonlySet<number>, signal: AbortSignal): Promise<Map<number, Uint8Array>>;
}

export interface RowStreamPlan {
  /** First byte, inclusive. */
  readonly start: number;
  /** Last byte, exclusive. */
  readonly end: number;
  /** Bytes per systematic row (s symbols). */
  readonly rowBytes: number;
  /** Most rows in flight at once. */
  readonly windowRows: number;
}

type Settled = RowFetch | { readonly kind: 'error'; readonly error: unknown };

interface InFlight {
  readonly controller: AbortController;
  readonly settled: Promise<Settled>;
  /** Set once settled, so a row that arrived can be kept when its node fails later. */
  result?: Settled;
}

/**
 * The rows of `plan` in order, cut to `start…end`. The caller's `signal` (the client leaving)
 * aborts every request; ending the iteration early (`return()`) does too.
 */
export async function* streamRows(plan: RowStreamPlan, source: RowSource, signal: AbortSignal): AsyncGenerator<Uint8Array> {
  const { start, end, rowBytes } = plan;
  if (end <= start) return;
  const firstRow = Math.floor(start / rowBytes);
  const lastRow = Math.floor((end - 1) / rowBytes);
  const inFlight = new Map<number, InFlight>();
  const rebuilt = new Map<number, Uint8Array>();
  /** Members whose node failed a row of this read: their later rows are rebuilt, not asked for. */
  const failed = new Set<number>();

  const launch = (row: number) => {
    const controller = new AbortController();
    const entry: InFlight = {
      controller,
      settled: source.fetch(row, controller.signal).then(
        (result): Settled => result,
        (error: unknown): Settled => ({ kind: 'error', error }),
      ),
    };
    void entry.settled.then((result) => {
      entry.result = result;
      if (result.kind === 'lost') failed.add(source.owner(row));
    });
    inFlight.set(row, entry);
  };
  const cancelAll = (reason: unknown) => {
    for (const entry of inFlight.values()) entry.controller.abort(reason);
  };
  const onAbort = () => cancelAll(signal.reason);
  signal.addEventListener('abort', onAbort, { once: true });

  /** Rebuilds `row` and every later row whose node has failed (unless it already arrived), maybe more. */
  const recoverFrom = async (row: number): Promise<Uint8Array> => {
    const lost: number[] = [];
    const missing: number[] = [];
    for (let later = row; later <= lastRow; later++) {
      if (rebuilt.has(later) || inFlight.get(later)?.result?.kind === 'row') continue;
      missing.push(later);
      if (failed.has(source.owner(later))) lost.push(later);
    }
    const rows = await source.recover(lost, missing, failed, signal);
    for (const [index, data] of rows) {
      rebuilt.set(index, data);
      // A row rebuilt while its own request is still out: the request is no longer needed.
      inFlight.get(index)?.controller.abort(new Error('the row was rebuilt from other nodes'));
      inFlight.delete(index);
    }
    return take(rebuilt, row);
  };

  let sent = 0;
  try {
    for (let row = firstRow; row <= lastRow; row++) {
      if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new ClientDisconnectedError();
      const window = Math.min(plan.windowRows, INITIAL_WINDOW_ROWS + sent);
      for (let ahead = row; ahead <= lastRow && ahead < row + window; ahead++) {
        if (!inFlight.has(ahead) && !rebuilt.has(ahead) && !failed.has(source.owner(ahead))) launch(ahead);
      }
      let data: Uint8Array;
      if (rebuilt.has(row)) data = take(rebuilt, row);
      else {
        const entry = inFlight.get(row);
        // Still in `inFlight` while awaited, so that the client leaving cancels it too.
        const result: Settled = entry ? await entry.settled : { kind: 'lost', detail: 'its node failed earlier in this read' };
        inFlight.delete(row);
        if (result.kind === 'error') throw result.error;
        if (result.kind === 'row') data = result.data;
        else {
          failed.add(source.owner(row));
          data = await recoverFrom(row);
        }
      }
      const rowStart = row * rowBytes;
      yield data.subarray(Math.max(start, rowStart) - rowStart, Math.min(end, rowStart + rowBytes) - rowStart);
      sent++;
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
    cancelAll(new Error('the stream ended'));
  }
}

function take(rows: Map<number, Uint8Array>, row: number): Uint8Array {
  const data = rows.get(row);
  // recover() returns every row it was asked for, or throws.
  if (data === undefined) throw new Error(`row ${row} was not rebuilt`);
  rows.delete(row);
  return data;
}
