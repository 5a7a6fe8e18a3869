/** `walrus-gateway blob-id` on real files, against the official encoder. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { rmSync } from 'node:fs';
import { blobIdToString } from '../../src/codec/blob-id.ts';
import { oracleEncode } from '../fixtures/oracle.ts';
import { randomBytes } from '../fixtures/random.ts';

const ENTRY = new URL('../../src/main.ts', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'walrus-gateway-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[], input?: Uint8Array) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', ENTRY, ...args], { input, encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function file(name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

test('prints the blob ID alone on one line, n = 1000 by default', () => {
  const blob = randomBytes(54_321, 1);
  const result = run(['blob-id', file('random.bin', blob)]);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, blobIdToString(oracleEncode(blob, 1000).blobId) + '\n');
});

test('--n-shards and standard input', () => {
  const blob = new TextEncoder().encode('hello world');
  const result = run(['blob-id', '-', '--n-shards', '10'], blob);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, 'kfhAwEGrCYXNqnGv2jNMEVS3pX0yVV5M15csfujtUDg\n');
  const empty = run(['blob-id', file('empty.bin', new Uint8Array(0)), '--n-shards=31']);
  assert.equal(empty.stdout, blobIdToString(oracleEncode(new Uint8Array(0), 31).blobId) + '\n');
});

test('errors go to stderr with a non-zero exit and nothing on stdout', () => {
  const cases: [string[], RegExp][] = [
    [['blob-id', join(dir, 'missing.bin')], /no such file/],
    [['blob-id'], /missing FILE/],
    [['blob-id', file('a.bin', Uint8Array.of(1)), '--n-shards', '3'], /invalid number of shards 3/],
    [['blob-id', file('b.bin', Uint8Array.of(1)), '--n-shards', 'ten'], /--n-shards must be a whole number/],
    [['blob-id', file('c.bin', new Uint8Array(393_205)), '--n-shards', '4'], /exceeds the maximum of 393204 bytes/],
    [['blob-id', dir], /is not a regular file/],
    [['no-such-command'], /unknown command/],
  ];
  for (const [args, message] of cases) {
    const result = run(args);
    assert.notEqual(result.code, 0, args.join(' '));
    assert.equal(result.stdout, '', args.join(' '));
    assert.match(result.stderr, message, args.join(' '));
  }
});
