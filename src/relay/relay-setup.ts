/**
 * Builds the upload relay from the configuration: its metrics, its own write committee (node pools
 * counted under the relay's metrics) and the tip policy validated by config.ts. No wallet: the
 * relay never sends a transaction.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Registry } from 'prom-client';
import type { ChainClient } from '../chain/chain-client.ts';
import type { BlobCodec } from '../codec/blob-codec.ts';
import type { GatewayConfig } from '../config.ts';
import { CommitteeView } from '../nodes/committee-view.ts';
import { RelayMetrics } from './relay-metrics.ts';
import { UploadRelay } from './upload-relay.ts';

export interface OpenUploadRelayOptions {
  readonly config: GatewayConfig;
  readonly chain: ChainClient;
  /** Where bodies are encoded: inline or on codec workers (`openCodec`). */
  readonly codec: BlobCodec;
  readonly registry: Registry;
  readonly log: FastifyBaseLogger;
  /** The clock tip transactions are judged by (tests). */
  readonly now?: () => number;
}

export function openUploadRelay(options: OpenUploadRelayOptions): UploadRelay {
  const { config, chain } = options;
  const metrics = new RelayMetrics(options.registry);
  const committees = new CommitteeView({ chain, nodeTimeoutMs: config.nodeTimeoutMs, countRequest: metrics.nodes.count });
  return new UploadRelay({
    chain,
    codec: options.codec,
    committees,
    tip: config.relay.tip,
    freshness: { maxAgeMs: config.relay.txFreshnessMs, maxFutureMs: config.relay.txMaxFutureMs },
    metrics,
    log: options.log,
    now: options.now,
  });
}
