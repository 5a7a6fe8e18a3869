/**
 * Per-stage store latencies (the reference's `encoding_latency_s`, `checking_blob_status_latency_s`,
 * `store_operation_latency_s`, `get_certificates_latency_s`, `upload_certificate_latency_s`, as one
 * histogram labelled by stage) and store outcomes.
 */
import { Counter, Histogram, type Registry } from 'prom-client';
import { NodeRequestMetrics } from '../nodes/node-metrics.ts';

export const STORE_STAGES = ['encode', 'status', 'register', 'upload', 'confirmations', 'certify'] as const;
export type StoreStage = (typeof STORE_STAGES)[number];
export type StoreOutcome = 'newlyCreated' | 'alreadyCertified' | 'reuseRegistration' | 'failed';

/** Seconds: 1 ms to 120 s. */
const STAGE_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

export class StoreMetrics {
  readonly stageSeconds: Histogram<'stage'>;
  readonly stores: Counter<'outcome'>;
  /** `PUT /v1/quilts` results by outcome (each is also counted in `stores`), and the patches they stored. */
  readonly quiltStores: Counter<'outcome'>;
  readonly quiltPatches: Counter;
  readonly walSpent: Counter;
  /** `PUT /v1/blobs` bodies past `--spool-threshold`, encoded from their spool file. */
  readonly spooledStores: Counter;
  /** The publisher's own storage-node requests (status, metadata and sliver PUTs, confirmations). */
  readonly nodes: NodeRequestMetrics;

  constructor(registry: Registry) {
    const registers = [registry];
    this.stageSeconds = new Histogram({ name: 'walrus_gateway_store_stage_seconds', help: 'Time per store stage', labelNames: ['stage'], buckets: STAGE_BUCKETS, registers });
    this.stores = new Counter({ name: 'walrus_gateway_stores_total', help: 'PUT /v1/blobs and /v1/quilts results by outcome', labelNames: ['outcome'], registers });
    this.quiltStores = new Counter({ name: 'walrus_gateway_quilt_stores_total', help: 'PUT /v1/quilts results by outcome', labelNames: ['outcome'], registers });
    this.quiltPatches = new Counter({ name: 'walrus_gateway_quilt_patches_stored_total', help: 'Patches in quilts stored by PUT /v1/quilts', registers });
    this.walSpent = new Counter({ name: 'walrus_gateway_wal_spent_frost_total', help: 'FROST paid for storage and writes', registers });
    this.spooledStores = new Counter({ name: 'walrus_gateway_spooled_stores_total', help: 'PUT /v1/blobs bodies over --spool-threshold, stored from a spool file', registers });
    this.nodes = new NodeRequestMetrics(registry, { requests: 'walrus_gateway_publisher_node_requests_total', faults: 'walrus_gateway_publisher_node_faults_total', whose: 'the publisher' });
  }

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
