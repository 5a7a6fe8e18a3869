/**
 * The soak run's knobs, read once from SOAK_* variables: every size, count and duration of the run
 * (see `bench/soak.ts` for what the phases do with them). The gateway child reads the same ones.
 */

export const KIB = 1024;
export const MIB = 1024 * KIB;

function envInt(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  if (!/^\d+$/.test(text)) throw new Error(`${name} must be a whole number, got ${JSON.stringify(text)}`);
  return Number(text);
}

/** Every size and duration of the run; the defaults take about 3–4 minutes on 2 cores. */
export const KNOBS = {
  nodes: envInt('SOAK_NODES', 10),
  shards: envInt('SOAK_SHARDS', 100),
  seed: envInt('SOAK_SEED', 1),
  hostileRequests: envInt('SOAK_HOSTILE_REQUESTS', 10_000),
  hostileConcurrency: envInt('SOAK_HOSTILE_CONCURRENCY', 48),
  hostileMaxSeconds: envInt('SOAK_HOSTILE_MAX_SECONDS', 120),
  slowHeaderClients: envInt('SOAK_SLOW_HEADER_CLIENTS', 16),
  nodePuts: envInt('SOAK_NODE_PUTS', 30),
  nodeParallel: envInt('SOAK_NODE_PARALLEL', 4),
  nodeMaxSeconds: envInt('SOAK_NODE_MAX_SECONDS', 150),
  abandonMidBody: envInt('SOAK_ABANDON_MID_BODY', 24),
  abandonSlowReaders: envInt('SOAK_ABANDON_SLOW_READERS', 32),
  abandonNodeLatencyMs: envInt('SOAK_ABANDON_NODE_LATENCY_MS', 4000),
  seconds: envInt('SOAK_SECONDS', 60),
  connections: envInt('SOAK_CONNECTIONS', 128),
  writers: envInt('SOAK_WRITERS', 4),
  cachedBlobs: envInt('SOAK_CACHED_BLOBS', 16),
  freshBlobs: envInt('SOAK_FRESH_BLOBS', 48),
  rssIntervalMs: envInt('SOAK_RSS_INTERVAL_MS', 5000),
};

/** SOAK_VERBOSE=1 prints what each kind of hostile request got, and how long it took. */
export const VERBOSE = process.env.SOAK_VERBOSE === '1';
/** SOAK_PHASES=1,3 runs only those phases (all four by default). */
export const PHASES = new Set((process.env.SOAK_PHASES || '1,2,3,4').split(',').map((phase) => phase.trim()));
