/**
 * `npm run soak`: a bounded resilience run of the daemon (publisher + aggregator, default admission
 * limits) on a 10-node, 100-shard local network, in four phases:
 * 1. hostile clients: ≥ 10,000 malformed requests (bad IDs, ranges, queries, methods, bodies; raw
 *    HTTP over `node:net`: broken request lines, header floods, huge headers, incomplete and
 *    pipelined junk) plus a few slow-header clients → responses by status (goal: no 5xx but 501/503).
 * 2. hostile nodes: the lightest nodes with at most f shards answer at random with broken HTTP and
 *    lies (the control server's `hostile` fault) → failed PUTs and wrong bytes served (goal: 0).
 * 3. abandoned clients: PUTs that leave mid-body, PUTs and reads that leave while queued → are the
 *    admission slots all free afterwards (the shedders' counters, and maxBuffer requests at once).
 * 4. mixed load at ≥ 100 connections for SOAK_SECONDS → errors by status, p50/p99 per kind, and the
 *    gateway's RSS every 5 s (goal: flat).
 * The gateway runs in a child process of this script (`--gateway-child`, JSON lines on stdout) so
 * its RSS is its own; the network runs in a process of its own. Every phase is bounded in count and
 * time (SOAK_* variables, see KNOBS in `soak/knobs.ts`). Prints a table of figures and goals; exits 0
 * whatever they say. This file runs the phases and prints the table; each phase has a module of its
 * own under `soak/` (`hostile-clients.ts`, `hostile-nodes.ts`, `abandoned-clients.ts`, `mixed-load.ts`).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, release, tmpdir, version } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import { kernelSelection } from '../src/codec/kernel/select-kernel.ts';
import { LocalNetworkProcess } from '../src/local/local-network-process.ts';
import { phaseAbandonedClients } from './soak/abandoned-clients.ts';
import { GATEWAY_CHILD_FLAG, GatewayChild, gatewayChild, type ChildReady } from './soak/gateway-child.ts';
import { phaseHostileClients } from './soak/hostile-clients.ts';
import { phaseHostileNodes } from './soak/hostile-nodes.ts';
import { KNOBS, PHASES } from './soak/knobs.ts';
import { phaseMixedLoad } from './soak/mixed-load.ts';
import { noteChildLogs, printTable, row } from './soak/report.ts';
import { targetBlob } from './soak/wire.ts';

async function main(): Promise<void> {
  // The gateway child is this script in child mode (see `GatewayChild.start`).
  if (process.argv.includes(GATEWAY_CHILD_FLAG)) return gatewayChild();
  const runStart = performance.now();
  console.log(`CPU: ${cpus()[0]?.model ?? 'unknown'} × ${cpus().length}; kernel: ${release()} (${version()}); node ${process.version}`);
  console.log(kernelSelection().description);
  console.log(`network: ${KNOBS.nodes} nodes, ${KNOBS.shards} shards; knobs: ${JSON.stringify(KNOBS)}`);
  const dataDir = await mkdtemp(join(tmpdir(), 'walrus-soak-'));
  const network = await LocalNetworkProcess.start({ dataDir: join(dataDir, 'network'), nodes: KNOBS.nodes, shards: KNOBS.shards });
  const phases: string[] = [];
  const timed = async (name: string, body: () => Promise<void>) => {
    const start = performance.now();
    console.log(`phase ${name}…`);
    try {
      await body();
    } catch (error) {
      row(name, 'phase aborted', (error as Error).stack?.split('\n').slice(0, 3).join(' ') ?? String(error), 'runs to the end', false);
    }
    phases.push(`${name} ${((performance.now() - start) / 1000).toFixed(0)} s`);
  };
  let main: { child: GatewayChild; ready: ChildReady } | undefined;
  try {
    main = await GatewayChild.start(network.description.ledgerUrl);
    const { child, ready } = main;
    console.log(`gateway (child, daemon mode) at ${ready.url}; read slots ${ready.readConcurrent} + ${ready.readBuffer - ready.readConcurrent} queued, publish ${ready.publishConcurrent} + ${ready.publishBuffer - ready.publishConcurrent} queued`);
    const pool = new Pool(ready.url, { connections: 8 });
    const target = await targetBlob(pool);
    if (PHASES.has('1')) await timed('1 hostile clients', () => phaseHostileClients(child, ready, pool, target));
    if (PHASES.has('2')) await timed('2 hostile nodes', () => phaseHostileNodes(network.description));
    if (PHASES.has('3')) await timed('3 abandoned clients', () => phaseAbandonedClients(child, ready, network.description, target));
    if (PHASES.has('4')) await timed('4 mixed load', () => phaseMixedLoad(child, ready));
    await pool.close();
    row('all', 'gateway (phases 1, 3, 4) error-log lines / crashed', `${child.errorLogs} / ${child.alive ? 'no' : `yes (${child.exit})`}`, '0 / no', child.errorLogs === 0 && child.alive);
    noteChildLogs('all', child);
  } finally {
    await main?.child.stop();
    await network.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
  console.log(`\nsoak run: ${((performance.now() - runStart) / 1000).toFixed(0)} s (${phases.join(', ')})\n`);
  printTable();
}

await main();
