/**
 * Per-stage store latencies (the reference's `encoding_latency_s`, `checking_blob_status_latency_s`,
 * `store_operation_latency_s`, `get_certificates_latency_s`, `upload_certificate_latency_s`, as one
 * histogram labelled by stage) and store outcomes.
 */
import { Counter, Histogram, type Registry } from 'prom-client';
import { isFaultLabel, type RequestCounter } from '../nodes/node-outcome.ts';

export const STORE_STAGES = ['encode', 'status', 'register', 'upload', 'confirmations', 'certify'] as const;
export type StoreStage = (typeof STORE_STAGES)[number];
export type StoreOutcome = 'newlyCreated' | 'alreadyCertified' | 'reuseRegistration' | 'failed';

/** Seconds: 1 ms to 120 s. */
const STAGE_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

export class StoreMetrics {
  readonly stageSeconds: Histogram<'stage'>;
  readonly stores: Counter<'outcome'>;
  readonly walSpent: Counter;
  /** The publisher's own storage-node requests (status, metadata and sliver PUTs, confirmations), by outcome or fault. */
  readonly nodeRequests: Counter<'kind' | 'outcome'>;
  /** Faulty answers to the publisher by node: which storage node misbehaves, and how. */
  readonly nodeFaults: Counter<'node' | 'fault'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.stageSeconds = new Histogram({ name: 'walrus_gateway_store_stage_seconds', help: 'Time per store stage', labelNames: ['stage'], buckets: STAGE_BUCKETS, registers });
    this.stores = new Counter({ name: 'walrus_gateway_stores_total', help: 'PUT /v1/blobs results by outcome', labelNames: ['outcome'], registers });
    this.walSpent = new Counter({ name: 'walrus_gateway_wal_spent_frost_total', help: 'FROST paid for storage and writes', registers });
    this.nodeRequests = new Counter({
      name: 'walrus_gateway_publisher_node_requests_total',
      help: 'Storage-node requests of the publisher by kind and outcome (ok, refused, or the fault)',
      labelNames: ['kind', 'outcome'],
      registers,
    });
    this.nodeFaults = new Counter({
      name: 'walrus_gateway_publisher_node_faults_total',
      help: 'Faulty storage-node answers to the publisher (transport, timeout, status, redirect, oversized, malformed) by node',
      labelNames: ['node', 'fault'],
      registers,
    });
  }

  /** The publisher's storage-node request counter. */
  countNodeRequest: RequestCounter = (kind, outcome, node) => {
    this.nodeRequests.inc({ kind, outcome });
    if (isFaultLabel(outcome)) this.nodeFaults.inc({ node, fault: outcome });
  };

  /** Runs `work` and records its duration under `stage` (failures too: a slow failure is still slow). */
  async time<T>(stage: StoreStage, work: () => Promise<T> | T): Promise<T> {
    const end = this.stageSeconds.startTimer({ stage });
    try {
      return await work();
    } finally {
      end();
    }
  }
}
