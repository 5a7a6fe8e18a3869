/**
 * The description of a local Walrus network: what `local-network` writes to `DIR/network.json`
 * and what the ledger serves at `GET /v1/network`. Everything a client needs to find the ledger
 * and the storage nodes; the live committee and epoch come from the ledger.
 */
export interface StorageNodeDescription {
  /** Sui-style object ID (`0x` + 64 hex digits); committee order is ascending node ID. */
  readonly nodeId: string;
  readonly name: string;
  /** Base URL of the node's REST API, e.g. `http://127.0.0.1:40123`. */
  readonly url: string;
  /** BLS12-381 public key, 48-byte compressed G1 point, base64. */
  readonly blsPublicKey: string;
  /** With `--tls`: the secp256r1 key the node's certificate carries, 33-byte compressed, base64. */
  readonly networkPublicKey?: string;
  /** Shard indices this node holds in the current epoch. */
  readonly shards: readonly number[];
}

export interface NetworkDescription {
  readonly ledgerUrl: string;
  readonly nShards: number;
  readonly epoch: number;
  readonly nodes: readonly StorageNodeDescription[];
}
