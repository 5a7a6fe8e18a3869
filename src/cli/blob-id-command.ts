import { readFile, stat } from 'node:fs/promises';
import { constants as bufferConstants } from 'node:buffer';
import { parseArgs } from 'node:util';
import { blobIdToString } from '../codec/blob-id.ts';
import { encodeBlob } from '../codec/encoder.ts';
import { BlobTooLargeError } from '../codec/errors.ts';
import { selectKernel } from '../codec/kernel/select-kernel.ts';
import { EncodingParams } from '../codec/params.ts';
import { UsageError } from './usage-error.ts';

/** Mainnet's and testnet's shard count. */
const DEFAULT_N_SHARDS = 1000;

export const blobIdUsage = `walrus-gateway blob-id <FILE|-> [--n-shards N]

Prints the Walrus blob ID of FILE (or of standard input for -), alone on one line.
  --n-shards N   number of shards of the target network (default ${DEFAULT_N_SHARDS}, as on mainnet and testnet)`;

function parseShardCount(text: string | undefined): number {
  if (text === undefined) return DEFAULT_N_SHARDS;
  if (!/^\d+$/.test(text)) throw new UsageError(`--n-shards must be a whole number, got ${JSON.stringify(text)}`);
  return Number(text);
}

async function readStdin(): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function readInput(path: string, maxBlobSize: number): Promise<Uint8Array> {
  if (path === '-') return readStdin();
  const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
    throw new UsageError(`cannot read ${path}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`);
  });
  if (!info.isFile()) throw new UsageError(`${path} is not a regular file`);
  if (info.size > maxBlobSize) throw new BlobTooLargeError(info.size, maxBlobSize);
  if (info.size > bufferConstants.MAX_LENGTH) {
    throw new UsageError(`${path} (${info.size} bytes) is larger than this process can hold in memory`);
  }
  return readFile(path);
}

/** `walrus-gateway blob-id`: the blob ID a file would get on a network of N shards. */
export async function blobIdCommand(args: string[], out: (line: string) => void): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, options: { 'n-shards': { type: 'string' } } });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const [path, ...extra] = parsed.positionals;
  if (path === undefined) throw new UsageError('missing FILE (use - for standard input)');
  if (extra.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(extra[0])}`);
  const params = EncodingParams.forShards(parseShardCount(parsed.values['n-shards']));
  const blob = await readInput(path, params.maxBlobSize);
  // Only the ID is wanted: a zero repair-row budget hashes the repair rows without keeping them
  // (2× the blob less memory to fault in).
  out(blobIdToString(encodeBlob(blob, params, selectKernel(), { repairRowBudget: 0 }).blobId));
}
