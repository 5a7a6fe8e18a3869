/**
 * Prometheus metrics of the read path: the blob cache (hits, misses, evictions, bytes),
 * reconstructions, node requests and rejected (byzantine) answers. Registered on the registry the
 * metrics server exposes.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { NodeRequestMetrics } from '../nodes/node-metrics.ts';

export type CacheName = 'blob' | 'metadata' | 'quilt';

/**
 * Stages of a read from the nodes: the lifecycle vote (`status`, asked beside the metadata, so the
 * two overlap), verified metadata (`metadata`), the verified slivers of a whole-blob read
 * (`slivers`) and their decoding (`decode`).
 */
export const READ_STAGES = ['status', 'metadata', 'slivers', 'decode'] as const;
export type ReadStage = (typeof READ_STAGES)[number];

/** Seconds: 1 ms to 120 s. */
const STAGE_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

export class ReadMetrics {
  readonly cacheHits: Counter<'cache'>;
  readonly cacheMisses: Counter<'cache'>;
  readonly cacheEvictions: Counter<'cache'>;
  readonly cacheBytes: Gauge;
  readonly cacheEntries: Gauge<'cache'>;
  /** Blobs rebuilt from slivers (`full`), ranges read from systematic slivers (`range`), quilt columns from secondary ones (`columns`), streamed reads from systematic rows (`stream`). */
  readonly reconstructions: Counter<'kind'>;
  /** The read side's storage-node requests: `walrus_gateway_node_requests_total`, `walrus_gateway_node_faults_total`. */
  readonly nodes: NodeRequestMetrics;
  readonly rejectedAnswers: Counter<'kind'>;
  readonly coalescedRequests: Counter;
  /** Quilt patches served, by where their columns came from (`cache` or `nodes`). */
  readonly quiltPatchReads: Counter<'source'>;
  /**
   * Streamed response bodies (`blob` or `concat`) by how they ended: `complete`, `cut` (a failure
   * after the first byte: the response was cut short), `failed` (before it: an error answer) or
   * `abandoned` (the client left).
   */
  readonly streamedReads: Counter<'kind' | 'outcome'>;
  /** Rows of a streamed read rebuilt after their node failed: from columns (`columns`) or a full decode (`full`). */
  readonly streamRecoveries: Counter<'kind'>;
  readonly stageSeconds: Histogram<'stage'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.cacheHits = new Counter({ name: 'walrus_gateway_cache_hits_total', help: 'Reads served from an in-memory cache', labelNames: ['cache'], registers });
    this.cacheMisses = new Counter({ name: 'walrus_gateway_cache_misses_total', help: 'Reads that missed an in-memory cache', labelNames: ['cache'], registers });
    this.cacheEvictions = new Counter({ name: 'walrus_gateway_cache_evictions_total', help: 'Entries evicted from an in-memory cache', labelNames: ['cache'], registers });
    this.cacheBytes = new Gauge({ name: 'walrus_gateway_blob_cache_bytes', help: 'Bytes of reconstructed blobs held in the blob cache', registers });
    this.cacheEntries = new Gauge({ name: 'walrus_gateway_cache_entries', help: 'Entries held in an in-memory cache', labelNames: ['cache'], registers });
    this.reconstructions = new Counter({ name: 'walrus_gateway_reconstructions_total', help: 'Blob reads from storage nodes (full blobs, ranges or quilt columns)', labelNames: ['kind'], registers });
    this.nodes = new NodeRequestMetrics(registry, { requests: 'walrus_gateway_node_requests_total', faults: 'walrus_gateway_node_faults_total', whose: 'the aggregator' });
    this.rejectedAnswers = new Counter({ name: 'walrus_gateway_rejected_node_answers_total', help: 'Node answers that failed verification', labelNames: ['kind'], registers });
    this.quiltPatchReads = new Counter({ name: 'walrus_gateway_quilt_patch_reads_total', help: 'Quilt patches served, by where their columns came from', labelNames: ['source'], registers });
    this.streamedReads = new Counter({ name: 'walrus_gateway_streamed_reads_total', help: 'Streamed read bodies by kind and how they ended (complete, cut, failed, abandoned)', labelNames: ['kind', 'outcome'], registers });
    this.streamRecoveries = new Counter({ name: 'walrus_gateway_stream_recoveries_total', help: 'Streamed reads that rebuilt rows whose node failed, by how', labelNames: ['kind'], registers });
    this.stageSeconds = new Histogram({ name: 'walrus_gateway_read_stage_seconds', help: 'Time per stage of a read from the storage nodes', labelNames: ['stage'], buckets: STAGE_BUCKETS, registers });
    this.coalescedRequests = new Counter({ name: 'walrus_gateway_coalesced_reads_total', help: 'Reads that joined a reconstruction already in progress', registers });
  }
}
