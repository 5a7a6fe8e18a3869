/** The ledger's append-only log: what was appended survives, a torn tail is dropped, corruption is refused. */
import assert from 'node:assert/strict';
import { appendFile, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { DurableLog, LogCorruptedError } from '../../src/local/ledger/durable-log.ts';
import { makeTempDir, removeDir } from './fixtures.ts';

const FRAME_HEADER_LENGTH = 8;
const records = ['genesis', 'one', 'two', 'three'].map((text) => new TextEncoder().encode(text));
const decoded = (opened: { records: Uint8Array[] }) => opened.records.map((record) => new TextDecoder().decode(record));

async function withLogFile(body: (path: string) => Promise<void>): Promise<void> {
  const dir = await makeTempDir();
  try {
    await body(join(dir, 'nested', 'ledger.log'));
  } finally {
    await removeDir(dir);
  }
}

async function writeRecords(path: string, payloads: readonly Uint8Array[]): Promise<void> {
  const { log } = await DurableLog.open(path);
  for (const payload of payloads) await log.append(payload);
  await log.close();
}

test('appended records are read back in order after reopening', async () => {
  await withLogFile(async (path) => {
    const empty = await DurableLog.open(path);
    assert.deepEqual(empty.records, []);
    await empty.log.close();
    await writeRecords(path, records.slice(0, 2));
    await writeRecords(path, records.slice(2));
    const opened = await DurableLog.open(path);
    assert.deepEqual(decoded(opened), ['genesis', 'one', 'two', 'three']);
    assert.equal(opened.droppedTailBytes, 0);
    await opened.log.close();
  });
});

const tornTails: { name: string; tail: () => Buffer }[] = [
  { name: 'half a frame header', tail: () => Buffer.from([5, 0, 0]) },
  { name: 'a payload cut short', tail: () => Buffer.concat([frameHeader(100, Buffer.alloc(4)), Buffer.from('partial')]) },
  { name: 'a complete frame with a wrong checksum', tail: () => Buffer.concat([frameHeader(4, Buffer.from([1, 2, 3, 4])), Buffer.from('four')]) },
  { name: 'zeros where the data never reached the disk', tail: () => Buffer.alloc(64) },
  { name: 'an absurd length', tail: () => Buffer.from([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 1]) },
];

for (const { name, tail } of tornTails) {
  test(`a torn last record (${name}) is dropped and the log keeps working`, async () => {
    await withLogFile(async (path) => {
      await writeRecords(path, records);
      const validLength = (await stat(path)).size;
      const torn = tail();
      await appendFile(path, torn);

      const opened = await DurableLog.open(path);
      assert.deepEqual(decoded(opened), ['genesis', 'one', 'two', 'three']);
      assert.equal(opened.droppedTailBytes, torn.length);
      assert.equal((await stat(path)).size, validLength, 'the torn tail is truncated away');
      await opened.log.append(new TextEncoder().encode('four'));
      await opened.log.close();

      assert.deepEqual(decoded(await reopenAndClose(path)), ['genesis', 'one', 'two', 'three', 'four']);
    });
  });
}

test('a damaged record followed by more records is corruption, not a torn tail', async () => {
  await withLogFile(async (path) => {
    await writeRecords(path, records);
    const contents = await readFile(path);
    // Flip a payload byte of the second record ("one"), which has records after it.
    const secondPayload = 8 + FRAME_HEADER_LENGTH + records[0].length + FRAME_HEADER_LENGTH;
    contents[secondPayload] ^= 0xff;
    await writeFile(path, contents);
    await assert.rejects(DurableLog.open(path), LogCorruptedError);
  });
});

test('a file that is not a ledger log is refused; one cut off inside its header starts empty', async () => {
  await withLogFile(async (path) => {
    await writeRecords(path, []);
    await writeFile(path, 'something else entirely');
    await assert.rejects(DurableLog.open(path), LogCorruptedError);
    await writeFile(path, 'WLED');
    assert.deepEqual((await reopenAndClose(path)).records, []);
  });
});

async function reopenAndClose(path: string): Promise<{ records: Uint8Array[] }> {
  const opened = await DurableLog.open(path);
  await opened.log.close();
  return opened;
}

function frameHeader(length: number, checksum: Buffer): Buffer {
  const header = Buffer.alloc(FRAME_HEADER_LENGTH);
  header.writeUInt32LE(length, 0);
  checksum.copy(header, 4);
  return header;
}
