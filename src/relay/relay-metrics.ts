/**
 * The upload relay's metrics: requests by outcome (the reference's `blobs_uploaded`,
 * `blob_id_mismatch`, `get_transaction_error`, `freshness_check_error`, `tip_check_error`,
 * `auth_package_check_error`, as one counter labelled by the error's reason), time per stage, and
 * its own storage-node requests and faults.
 */
import { Counter, Histogram, type Registry } from 'prom-client';
import { NodeRequestMetrics } from '../nodes/node-metrics.ts';

export const RELAY_STAGES = ['tip', 'registration', 'encode', 'upload', 'confirmations'] as const;
export type RelayStage = (typeof RELAY_STAGES)[number];
/** A relayed blob; refusals and failures are labelled with their error reason. */
export const RELAYED = 'relayed';

/** Seconds: 1 ms to 120 s, as the publisher's stages. */
const STAGE_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

export class RelayMetrics {
  readonly stageSeconds: Histogram<'stage'>;
  readonly requests: Counter<'outcome'>;
  readonly nodes: NodeRequestMetrics;

  constructor(registry: Registry) {
    const registers = [registry];
    this.stageSeconds = new Histogram({ name: 'walrus_gateway_relay_stage_seconds', help: 'Time per upload relay stage', labelNames: ['stage'], buckets: STAGE_BUCKETS, registers });
    this.requests = new Counter({ name: 'walrus_gateway_relay_requests_total', help: 'POST /v1/blob-upload-relay results: relayed, or the error reason', labelNames: ['outcome'], registers });
    this.nodes = new NodeRequestMetrics(registry, { requests: 'walrus_gateway_relay_node_requests_total', faults: 'walrus_gateway_relay_node_faults_total', whose: 'the upload relay' });
  }

  /** Runs `work` and records its duration under `stage` (failures too). */
  async time<T>(stage: RelayStage, work: () => Promise<T> | T): Promise<T> {
    const end = this.stageSeconds.startTimer({ stage });
    try {
      return await work();
    } finally {
      end();
    }
  }
}
