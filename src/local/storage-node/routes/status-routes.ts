import type { FastifyInstance } from 'fastify';
import { HTTP_OK, sendSuccess } from '../api-envelope.ts';
import type { ChainView } from '../chain-view.ts';
import { parseBlobIdParam, parseBooleanQuery } from '../path-params.ts';
import type { StorageNodeService } from '../storage-node-service.ts';

const NANOS_PER_SECOND = 1_000_000_000n;
/** `NodeStatus::Active`'s Display form: a local node is always in its committee's steady state. */
const NODE_STATUS_ACTIVE = 'Active';

type ShardStatus = 'ready';

/** `ServiceHealthInfo` (camelCase; `uptime` is a Rust `Duration`). */
export interface ServiceHealthInfo {
  readonly uptime: { readonly secs: number; readonly nanos: number };
  readonly epoch: number;
  /** Compressed BLS public key, base64. */
  readonly publicKey: string;
  readonly nodeStatus: string;
  readonly eventProgress: { readonly persisted: number; readonly pending: number; readonly highestFinishedEventIndex: number | null };
  readonly shardSummary: {
    readonly owned: number;
    readonly ownedShardStatus: { readonly unknown: number; readonly ready: number; readonly inTransfer: number; readonly inRecovery: number };
    readonly readOnly: number;
  };
  readonly shardDetail?: {
    readonly owned: readonly { readonly shard: number; readonly status: ShardStatus }[];
    readonly other: readonly { readonly shard: number; readonly status: ShardStatus }[];
  };
}

export interface StatusRouteDeps {
  readonly service: StorageNodeService;
  readonly chain: ChainView;
  readonly publicKey: Uint8Array;
  /** `process.hrtime.bigint()` when the node started serving. */
  readonly startedAt: bigint;
}

function uptime(startedAt: bigint): ServiceHealthInfo['uptime'] {
  const elapsed = process.hrtime.bigint() - startedAt;
  return { secs: Number(elapsed / NANOS_PER_SECOND), nanos: Number(elapsed % NANOS_PER_SECOND) };
}

function healthInfo(deps: StatusRouteDeps, detailed: boolean): ServiceHealthInfo {
  const { epoch, ownedShards } = deps.chain.state;
  const owned = [...ownedShards].sort((a, b) => a - b);
  const info: ServiceHealthInfo = {
    uptime: uptime(deps.startedAt),
    epoch,
    publicKey: Buffer.from(deps.publicKey).toString('base64'),
    nodeStatus: NODE_STATUS_ACTIVE,
    eventProgress: { persisted: 0, pending: 0, highestFinishedEventIndex: null },
    shardSummary: {
      owned: owned.length,
      ownedShardStatus: { unknown: 0, ready: owned.length, inTransfer: 0, inRecovery: 0 },
      readOnly: 0,
    },
  };
  if (!detailed) return info;
  return { ...info, shardDetail: { owned: owned.map((shard) => ({ shard, status: 'ready' })), other: [] } };
}

/** GET `/v1/blobs/{blob_id}/status` (the ledger's `BlobStatus`, relayed) and GET `/v1/health`. */
export function registerStatusRoutes(app: FastifyInstance, deps: StatusRouteDeps): void {
  app.get<{ Params: { blobId: string } }>('/v1/blobs/:blobId/status', async (request, reply) => {
    const blobId = parseBlobIdParam(request.params.blobId);
    return sendSuccess(reply, HTTP_OK, await deps.service.blobStatus(blobId));
  });

  app.get<{ Querystring: Record<string, unknown> }>('/v1/health', async (request, reply) => {
    return sendSuccess(reply, HTTP_OK, healthInfo(deps, parseBooleanQuery(request.query, 'detailed')));
  });
}
