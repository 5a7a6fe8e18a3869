/**
 * The soak run's findings: one row a figure (phase, value, goal, met), the counting and formatting
 * helpers the phases use to fill them, and the final table.
 */
import { MIB } from './knobs.ts';

/** Nearest rank over unsorted values (the other benches keep their own copy inside scripts that run on import). */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export const ms = (value: number) => (Number.isNaN(value) ? '–' : `${value.toFixed(value < 10 ? 1 : 0)} ms`);
export const mib = (bytes: number) => `${(bytes / MIB).toFixed(0)} MiB`;
export const p50p99 = (values: number[]) => `p50 ${ms(percentile(values, 50))}, p99 ${ms(percentile(values, 99))} (n=${values.length})`;

/** Counts by key (a status code or an outcome), printed as `400×12, 404×3`. */
export class Tally {
  private readonly counts = new Map<string, number>();
  add(key: string | number, n = 1): void {
    this.counts.set(String(key), (this.counts.get(String(key)) ?? 0) + n);
  }
  count(predicate: (key: string) => boolean): number {
    let sum = 0;
    for (const [key, n] of this.counts) if (predicate(key)) sum += n;
    return sum;
  }
  get total(): number {
    return this.count(() => true);
  }
  toString(): string {
    if (this.counts.size === 0) return 'none';
    return [...this.counts].sort(([a], [b]) => a.localeCompare(b)).map(([key, n]) => `${key}×${n}`).join(', ');
  }
}

/** The status the gateway logs for a client that left before its answer. */
export const CLIENT_GONE = 499;
/** A 5xx the goals do not allow: 501 (not built) and 503 (unavailable, retry) are honest answers. */
export const isBad5xx = (key: string) => /^5\d\d$/.test(key) && key !== '501' && key !== '503';

interface Row {
  readonly phase: string;
  readonly figure: string;
  readonly value: string;
  readonly goal: string;
  readonly met?: boolean;
}
/** One run, one table: every phase adds its rows here, and `printTable` prints them at the end. */
const rows: Row[] = [];
export const row = (phase: string, figure: string, value: string, goal = '–', met?: boolean) => rows.push({ phase, figure, value, goal, met });

/** Quotes a gateway child's stderr samples into one row (they explain an error-log count that is not 0). */
export function noteChildLogs(phase: string, child: { readonly logSamples: readonly string[] }): void {
  if (child.logSamples.length > 0) row(phase, 'gateway stderr samples', child.logSamples.map((line) => JSON.stringify(line)).join(' | '));
}

export function printTable(): void {
  const header = ['phase', 'figure', 'value', 'goal', 'met'];
  const cells = rows.map((r) => [r.phase, r.figure, r.value, r.goal, r.met === undefined ? '' : r.met ? 'yes' : 'MISSED']);
  const widths = header.map((name, i) => Math.min(i === 2 ? 110 : 60, Math.max(name.length, ...cells.map((c) => c[i].length))));
  const line = (c: string[]) => '| ' + c.map((text, i) => text.padEnd(widths[i])).join(' | ') + ' |';
  console.log(line(header));
  console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
  for (const c of cells) console.log(line(c));
  const missed = rows.filter((r) => r.met === false);
  console.log(missed.length === 0 ? '\nall goals met' : `\nMISSED ${missed.length} goal(s): ${missed.map((r) => `${r.phase}: ${r.figure}`).join('; ')}`);
}

