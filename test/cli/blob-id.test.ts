/**
 * `walrus-gateway blob-id` on real files, against the official encoder. The cases run the command
 * line in this process; two run it as its own process, for standard input and the exit status.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { blobIdToString } from '../../src/codec/blob-id.ts';
import { runCli, runCliProcess } from '../fixtures/cli.ts';
import { oracleEncodeOnce } from '../fixtures/oracle.ts';
import { randomBytes } from '../fixtures/random.ts';

const dir = mkdtempSync(join(tmpdir(), 'walrus-gateway-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

test('prints the blob ID alone on one line, n = 1000 by default', async () => {
  // A blob test/codec/differential.test.ts also encodes (the same size and seed): the oracle's
  // encoding of it is made once for both files (see oracleEncodeOnce).
  const blob = randomBytes(333_333, 333_333);
  const result = await runCli(['blob-id', file('random.bin', blob)]);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, blobIdToString(oracleEncodeOnce(blob, 1000).blobId) + '\n');
  assert.equal(result.stderr, '');
});

test('--n-shards and standard input, as a process', async () => {
  const blob = new TextEncoder().encode('hello world');
  const result = await runCliProcess(['blob-id', '-', '--n-shards', '10'], blob);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, 'kfhAwEGrCYXNqnGv2jNMEVS3pX0yVV5M15csfujtUDg\n');
  const empty = await runCli(['blob-id', file('empty.bin', new Uint8Array(0)), '--n-shards=31']);
  assert.equal(empty.stdout, blobIdToString(oracleEncodeOnce(new Uint8Array(0), 31).blobId) + '\n');
});

test('errors go to stderr with a non-zero exit and nothing on stdout', async () => {
  // Usage errors exit 2, failures the user can act on (a blob too large) 1.
  const cases: [string[], number, RegExp][] = [
    [['blob-id', join(dir, 'missing.bin')], 2, /no such file/],
    [['blob-id'], 2, /missing FILE/],
    [['blob-id', file('a.bin', Uint8Array.of(1)), '--n-shards', '3'], 1, /invalid number of shards 3/],
    [['blob-id', file('b.bin', Uint8Array.of(1)), '--n-shards', 'ten'], 2, /--n-shards must be a whole number/],
    [['blob-id', file('c.bin', new Uint8Array(393_205)), '--n-shards', '4'], 1, /exceeds the maximum of 393204 bytes/],
    [['blob-id', dir], 2, /is not a regular file/],
    [['no-such-command'], 2, /unknown command/],
  ];
  for (const [args, code, message] of cases) {
    const result = await runCli(args);
    assert.equal(result.code, code, `${args.join(' ')}: ${result.stderr}`);
    assert.equal(result.stdout, '', args.join(' '));
    assert.match(result.stderr, message, args.join(' '));
  }
  // The same through a process: the exit status and the two streams are the process's own.
  const missing = await runCliProcess(['blob-id', join(dir, 'missing.bin')]);
  assert.equal(missing.code, 2, missing.stderr);
  assert.equal(missing.stdout, '');
  assert.match(missing.stderr, /^walrus-gateway blob-id: cannot read .*missing\.bin: no such file/);
});
