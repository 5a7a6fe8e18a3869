import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateBlsKeyPair } from '../crypto/bls.ts';

/** What makes a local network the same network across restarts: ports, node IDs and keys. */
export interface NodeIdentity {
  readonly nodeId: string;
  readonly name: string;
  readonly port: number;
  /** BLS secret key, hex. */
  readonly blsSecretKey: string;
  /**
   * secp256r1 private key (PKCS#8 PEM) of the node's TLS certificate, whose public half the ledger
   * publishes as the node's network key. Created the first time the network runs with TLS.
   */
  readonly tlsPrivateKey?: string;
}

export interface NetworkIdentity {
  readonly nShards: number;
  readonly ledgerPort: number;
  readonly controlPort: number;
  readonly nodes: readonly NodeIdentity[];
}

/** Holds secret keys: readable by the owner only. */
const IDENTITY_FILE = 'identity.json';
const OWNER_ONLY = 0o600;

/**
 * Where a network's ports are drawn from: below the kernel's ephemeral range (32768+ on Linux,
 * 49152+ elsewhere). A port found by binding port 0 lies inside it, and the outgoing connection
 * of one node starting up could take the port another node is about to listen on.
 */
export const LOCAL_PORT_RANGE = { low: 20_000, high: 32_767 } as const;
const PORT_ATTEMPTS = 200;

function canListen(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

/**
 * The range is cut into slices, one per process by its PID: networks created at the same moment by
 * different processes (test files run in parallel) draw from different slices, since a port is only
 * checked free here and taken later, when the network starts.
 */
const PORT_SLICES = 8;

/** A free TCP port in this process's slice of {@link LOCAL_PORT_RANGE}, other than those in `taken`. */
async function freePort(host: string, taken: Set<number>): Promise<number> {
  const size = Math.floor((LOCAL_PORT_RANGE.high - LOCAL_PORT_RANGE.low + 1) / PORT_SLICES);
  const low = LOCAL_PORT_RANGE.low + (process.pid % PORT_SLICES) * size;
  for (let attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
    const port = low + Math.floor(Math.random() * size);
    if (!taken.has(port) && (await canListen(port, host))) {
      taken.add(port);
      return port;
    }
  }
  throw new Error(`no free port in ${low}–${low + size - 1} on ${host}`);
}

function objectId(): string {
  return '0x' + randomBytes(32).toString('hex');
}

async function createIdentity(nShards: number, nodeCount: number, host: string): Promise<NetworkIdentity> {
  const taken = new Set<number>();
  const nodes: NodeIdentity[] = [];
  for (let i = 0; i < nodeCount; i++) {
    nodes.push({
      nodeId: objectId(),
      name: `node-${i}`,
      port: await freePort(host, taken),
      blsSecretKey: Buffer.from(generateBlsKeyPair().secretKey).toString('hex'),
    });
  }
  return { nShards, ledgerPort: await freePort(host, taken), controlPort: await freePort(host, taken), nodes };
}

/**
 * Loads the network's identity from `dataDir`, or creates and saves a new one. A saved identity
 * wins over the requested sizes: a data directory is one network.
 */
export async function loadOrCreateIdentity(dataDir: string, nShards: number, nodeCount: number, host: string): Promise<NetworkIdentity> {
  const path = join(dataDir, IDENTITY_FILE);
  try {
    return JSON.parse(await readFile(path, 'utf8')) as NetworkIdentity;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(dataDir, { recursive: true });
  const identity = await createIdentity(nShards, nodeCount, host);
  await saveIdentity(path, identity);
  return identity;
}

async function saveIdentity(path: string, identity: NetworkIdentity): Promise<void> {
  await writeFile(path + '.tmp', JSON.stringify(identity, null, 2), { mode: OWNER_ONLY });
  await rename(path + '.tmp', path);
}

/** `identity` with a TLS key for every node, saved in `dataDir` when one had to be created. */
export async function withTlsKeys(dataDir: string, identity: NetworkIdentity): Promise<NetworkIdentity> {
  if (identity.nodes.every((node) => node.tlsPrivateKey !== undefined)) return identity;
  const nodes = identity.nodes.map((node) =>
    node.tlsPrivateKey !== undefined
      ? node
      : { ...node, tlsPrivateKey: generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string },
  );
  const keyed = { ...identity, nodes };
  await saveIdentity(join(dataDir, IDENTITY_FILE), keyed);
  return keyed;
}
