// The reference side of `npm run bench:cli`: a whole process that prints a file's blob ID with the
// official encoder (@mysten/walrus-wasm's compute_metadata, what the TypeScript SDK calls), in
// plain JavaScript so that it pays no TypeScript loader either.
import { readFileSync } from 'node:fs';
import { BlobEncoder } from '@mysten/walrus-wasm';

const [file, shards = '1000'] = process.argv.slice(2);
const [blobId] = new BlobEncoder(Number(shards)).compute_metadata(readFileSync(file));
process.stdout.write(Buffer.from(blobId).toString('base64url') + '\n');
