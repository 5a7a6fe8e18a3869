import { randomBytes } from 'node:crypto';
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

/** A free TCP port on the host, found by binding port 0 and releasing it. */
async function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function objectId(): string {
  return '0x' + randomBytes(32).toString('hex');
}

async function createIdentity(nShards: number, nodeCount: number, host: string): Promise<NetworkIdentity> {
  const nodes: NodeIdentity[] = [];
  for (let i = 0; i < nodeCount; i++) {
    nodes.push({
      nodeId: objectId(),
      name: `node-${i}`,
      port: await freePort(host),
      blsSecretKey: Buffer.from(generateBlsKeyPair().secretKey).toString('hex'),
    });
  }
  return { nShards, ledgerPort: await freePort(host), controlPort: await freePort(host), nodes };
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
  await writeFile(path + '.tmp', JSON.stringify(identity, null, 2), { mode: OWNER_ONLY });
  await rename(path + '.tmp', path);
  return identity;
}
