/**
 * Reading QuiltV1 (docs/protocol.md §2.7): SDK-built quilts read back through parseQuiltIndex and
 * extractQuiltPatch, patch IDs in and out, hostile index and patch bytes that may only ever end in
 * a QuiltError, and the encoder's refusals with the reference's wording.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { encodeQuilt } from '@mysten/walrus';
import { BcsWriter } from '../../src/codec/bcs.ts';
import { encodeBlob } from '../../src/codec/encoder.ts';
import { EncodingParams } from '../../src/codec/params.ts';
import {
  encodeQuiltPatchId,
  encodeQuiltV1,
  extractQuiltPatch,
  MAX_QUILT_IDENTIFIER_BYTES,
  parseQuiltIndex,
  parseQuiltPatchId,
  QUILT_PATCH_ID_TEXT_LENGTH,
  quiltColumns,
  QuiltError,
  quiltLayout,
  type QuiltErrorCode,
  type QuiltInput,
  type QuiltLayout,
  type QuiltPatch,
} from '../../src/codec/quilt.ts';
import { QUILT_INDEX_LENGTH_OFFSET, QUILT_INDEX_PREFIX_BYTES } from '../../src/codec/quilt-format.ts';
import { QUILT_PATCH_ID_BYTES } from '../../src/codec/quilt-patch-id.ts';
import { fastKernel } from '../fixtures/kernels.ts';
import { randomBytes, seededRandom } from '../fixtures/random.ts';

interface SdkQuiltHelpers {
  parseQuiltPatchId(id: string): { quiltId: string; patchId: { version: number; startIndex: number; endIndex: number } };
}
// Not exported by the package's entry point; imported by URL as test/fixtures/walrus-sdk.ts does.
const sdkQuilts = (await import(new URL('./utils/quilts.mjs', import.meta.resolve('@mysten/walrus')).href)) as SdkQuiltHelpers;

const text = (value: string) => new TextEncoder().encode(value);

function sdkQuilt(files: QuiltInput[], n: number): { blob: Uint8Array; layout: QuiltLayout; sdkRanges: [number, number][] } {
  const { quilt, index } = encodeQuilt({ blobs: files.map((file) => ({ ...file, tags: file.tags && { ...file.tags } })), numShards: n });
  return { blob: quilt, layout: quiltLayout(EncodingParams.forShards(n), quilt.length), sdkRanges: index.patches.map((p) => [p.startIndex, p.endIndex]) };
}

/** The index as a reader gets it: column 0 first, then as many more as the prefix asks for. */
function readIndex(blob: Uint8Array, layout: QuiltLayout): { patches: QuiltPatch[]; indexColumns: number; fetches: number } {
  let columns = quiltColumns(blob, layout, 0, 1);
  for (let fetches = 1; ; fetches++) {
    const parsed = parseQuiltIndex(columns, layout);
    if (parsed.kind === 'index') return { ...parsed, fetches };
    assert.ok(parsed.columns > columns.length / layout.columnBytes && parsed.columns <= 10, `asks for ${parsed.columns} columns`);
    columns = quiltColumns(blob, layout, 0, parsed.columns);
  }
}

/** Runs `attempt`; anything thrown must be a QuiltError (with `code` when given). */
function onlyQuiltErrors<T>(attempt: () => T, label: string, code?: QuiltErrorCode): T | undefined {
  try {
    return attempt();
  } catch (error) {
    assert.ok(error instanceof QuiltError, `${label}: threw ${String(error)}`);
    if (code) assert.equal(error.code, code, label);
    return undefined;
  }
}

function assertQuiltError(attempt: () => unknown, code: QuiltErrorCode, message: string | RegExp): void {
  assert.throws(attempt, (error: unknown) => {
    assert.ok(error instanceof QuiltError, String(error));
    assert.equal(error.code, code);
    if (typeof message === 'string') assert.equal(error.message, message);
    else assert.match(error.message, message);
    return true;
  });
}

const READ_SETS: Record<string, QuiltInput[]> = {
  'one file': [{ identifier: 'hello.txt', contents: text('hello world') }],
  'empty file and tags': [
    { identifier: 'empty', contents: new Uint8Array(0), tags: { kind: 'nothing', b: '1', aa: '2' } },
    { identifier: 'photo.jpg', contents: randomBytes(40_000, 1) },
    { identifier: 'ü 😀', contents: randomBytes(300, 2), tags: { 'clé': 'välue' } },
  ],
  'index over several columns': [
    { identifier: 'patch-0', contents: Uint8Array.of(0), tags: { a: 'x'.repeat(4000) } },
    { identifier: 'patch-1', contents: Uint8Array.of(1), tags: { b: 'y'.repeat(3000) } },
  ],
  '50 small files': Array.from({ length: 50 }, (_, i) => ({
    identifier: `f${i}`,
    contents: randomBytes(i * 7, 100 + i),
    ...(i % 5 === 0 ? { tags: { i: String(i) } } : {}),
  })),
};

describe('reading SDK-built quilts', () => {
  for (const [name, files] of Object.entries(READ_SETS)) {
    test(name, () => {
      for (const n of [4, 7, 10, 100]) {
        const params = EncodingParams.forShards(n);
        if (files.length >= params.secondarySourceSymbols) continue;
        const { blob, layout, sdkRanges } = sdkQuilt(files, n);
        const label = `${name}, n=${n}`;
        const { patches, indexColumns } = readIndex(blob, layout);
        assert.deepEqual(
          patches.map((patch) => [patch.startColumn, patch.endColumn]),
          sdkRanges,
          `ranges, ${label}`,
        );
        assert.equal(indexColumns, patches[0].startColumn);
        const byIdentifier = new Map(files.map((file) => [file.identifier, file]));
        for (const patch of patches) {
          const file = byIdentifier.get(patch.identifier);
          assert.ok(file, `${patch.identifier} is one of the files, ${label}`);
          assert.deepEqual(patch.tags, file.tags ?? {}, `index tags, ${label}`);
          const read = extractQuiltPatch(quiltColumns(blob, layout, patch.startColumn, patch.endColumn), patch);
          assert.equal(read.identifier, file.identifier);
          assert.deepEqual(read.tags, file.tags ?? {}, `header tags, ${label}`);
          assert.ok(Buffer.from(read.data).equals(Buffer.from(file.contents)), `contents of ${file.identifier}, ${label}`);
        }
      }
    });
  }

  test('an index over several columns is fetched in two steps', () => {
    const { blob, layout } = sdkQuilt(READ_SETS['index over several columns'], 10);
    const { indexColumns, fetches } = readIndex(blob, layout);
    assert.ok(indexColumns > 1);
    assert.equal(fetches, 2);
  });

  test('quiltColumns gives exactly the secondary slivers the RS2 encoder makes', () => {
    const n = 10;
    const params = EncodingParams.forShards(n);
    const { blob, layout } = sdkQuilt(READ_SETS['empty file and tags'], n);
    const encoded = encodeBlob(blob, params, fastKernel());
    const all = quiltColumns(blob, layout, 0, layout.columns);
    for (let j = 0; j < layout.columns; j++) {
      const column = all.subarray(j * layout.columnBytes, (j + 1) * layout.columnBytes);
      assert.ok(Buffer.from(column).equals(Buffer.from(encoded.secondarySliver(j))), `column ${j}`);
    }
  });

  test('identifiers Rust refuses but the SDK writes still read', () => {
    const files = [
      { identifier: 'trailing space ', contents: text('a') },
      { identifier: '', contents: text('b') },
      { identifier: '\uFEFFbom', contents: text('c') },
    ];
    const { blob, layout } = sdkQuilt(files, 7);
    const { patches } = readIndex(blob, layout);
    assert.deepEqual(patches.map((patch) => patch.identifier).sort(), files.map((file) => file.identifier).sort());
    for (const patch of patches) {
      const read = extractQuiltPatch(quiltColumns(blob, layout, patch.startColumn, patch.endColumn), patch);
      assert.equal(read.identifier, patch.identifier, 'a leading U+FEFF is kept, not taken for a byte-order mark');
    }
  });

  test('a patch read against the wrong index entry is refused', () => {
    const { blob, layout } = sdkQuilt(READ_SETS['empty file and tags'], 10);
    const [first, second] = readIndex(blob, layout).patches;
    const columns = quiltColumns(blob, layout, first.startColumn, first.endColumn);
    assertQuiltError(() => extractQuiltPatch(columns, { ...first, identifier: second.identifier }), 'MALFORMED_QUILT', /^invalid quilt data: /);
    assert.equal(extractQuiltPatch(columns, { startColumn: first.startColumn, endColumn: first.endColumn }).identifier, first.identifier);
  });
});

describe('layout', () => {
  test('a length that is not a whole p × s matrix is not a quilt', () => {
    const params = EncodingParams.forShards(10);
    assert.deepEqual(quiltLayout(params, params.sourceSymbols * 6), { rows: 4, columns: 7, symbolSize: 6, columnBytes: 24 });
    assertQuiltError(() => quiltLayout(params, params.sourceSymbols * 6 - 1), 'MALFORMED_QUILT', /^the blob is not aligned with the quilt: /);
    assertQuiltError(() => quiltLayout(params, 0), 'MALFORMED_QUILT', 'quilt_blob is empty');
  });

  test('columns past the quilt are out of range', () => {
    const params = EncodingParams.forShards(10);
    const layout = quiltLayout(params, params.sourceSymbols * 2);
    const blob = new Uint8Array(params.sourceSymbols * 2);
    assert.equal(quiltColumns(blob, layout, 6, 7).length, layout.columnBytes);
    assertQuiltError(() => quiltColumns(blob, layout, 6, 8), 'QUILT_PATCH_OUT_OF_RANGE', 'index is out of bounds: 8 > max index: 7');
  });
});

describe('patch IDs', () => {
  const quiltId = randomBytes(32, 42);

  test('encode and parse round-trip, and agree with the SDK', () => {
    for (const [start, end] of [[1, 2], [3, 10], [0, 1], [665, 666], [1, 0xffff], [0xfffe, 0xffff]]) {
      const id = encodeQuiltPatchId(quiltId, start, end);
      assert.equal(id.length, QUILT_PATCH_ID_TEXT_LENGTH);
      const parsed = parseQuiltPatchId(id);
      assert.deepEqual([Buffer.from(parsed.quiltId).toString('hex'), parsed.startColumn, parsed.endColumn], [Buffer.from(quiltId).toString('hex'), start, end]);
      const sdk = sdkQuilts.parseQuiltPatchId(id);
      assert.deepEqual([sdk.quiltId, sdk.patchId], [Buffer.from(quiltId).toString('base64url'), { version: 1, startIndex: start, endIndex: end }]);
    }
  });

  test('malformed IDs are refused', () => {
    const bytes = (mutate: (b: Uint8Array) => Uint8Array): string => {
      const b = new Uint8Array(Buffer.from(encodeQuiltPatchId(quiltId, 3, 5), 'base64url'));
      return Buffer.from(mutate(b)).toString('base64url');
    };
    const valid = encodeQuiltPatchId(quiltId, 3, 5);
    const invalid: [string, string | RegExp][] = [
      ['', /is invalid$/],
      [Buffer.from(quiltId).toString('base64url'), /is invalid$/],
      [valid.slice(0, -1), /is invalid$/],
      [`${valid}==`, /is invalid$/],
      [valid.replace(/-/g, '+').replace(/_/g, '/'), /is invalid$/],
      [valid.slice(0, -1) + String.fromCharCode(valid.charCodeAt(valid.length - 1) + 1), /is invalid$/],
      [`${valid}AAAA`.repeat(3), /is invalid$/],
      [bytes((b) => b.subarray(0, 36)), 'other error: QuiltPatchInternalIdV1 requires 5 bytes'],
      [bytes((b) => Uint8Array.from([...b, 0])), 'other error: QuiltPatchInternalIdV1 requires 5 bytes'],
      [bytes((b) => ((b[32] = 2), b)), 'the quilt version does not match the expected version: 2, expected: 1'],
      [encodeQuiltPatchIdUnchecked(quiltId, 5, 5), /is invalid: its start column 5 is not below its end column 5$/],
      [encodeQuiltPatchIdUnchecked(quiltId, 6, 5), /is invalid: its start column 6 is not below its end column 5$/],
    ];
    for (const [id, message] of invalid) assertQuiltError(() => parseQuiltPatchId(id), 'INVALID_QUILT_PATCH_ID', message);
    assert.throws(() => encodeQuiltPatchId(quiltId, 5, 5), RangeError);
    assert.throws(() => encodeQuiltPatchId(quiltId.subarray(1), 1, 2), RangeError);
  });
});

/** A patch ID with any columns, to feed the parser what the encoder refuses to write. */
function encodeQuiltPatchIdUnchecked(quiltId: Uint8Array, start: number, end: number): string {
  return Buffer.from(new BcsWriter(QUILT_PATCH_ID_BYTES).fixedBytes(quiltId).u8(1).u16(start).u16(end).toBytes()).toString('base64url');
}

describe('hostile quilt bytes end in a QuiltError', () => {
  const n = 10;
  const { blob, layout } = sdkQuilt(READ_SETS['empty file and tags'], n);
  const { patches, indexColumns } = readIndex(blob, layout);
  const indexBytes = quiltColumns(blob, layout, 0, indexColumns);

  /** Column bytes holding a hand-made index: version ‖ u32 length ‖ `body`. */
  function withIndex(body: Uint8Array, declaredLength = body.length, version = 1): Uint8Array {
    const bytes = new BcsWriter().u8(version).u32(declaredLength).fixedBytes(body).toBytes();
    const columns = new Uint8Array(Math.max(layout.columnBytes, Math.ceil(bytes.length / layout.columnBytes) * layout.columnBytes));
    columns.set(bytes);
    return columns;
  }
  const entry = (w: BcsWriter, end: number, identifier: string, tags: [Uint8Array, Uint8Array][] = []) => {
    w.u16(end).bytes(text(identifier)).uleb128(tags.length);
    for (const [key, value] of tags) w.bytes(key).bytes(value);
    return w;
  };

  test('hand-made indexes: each flaw has its error', () => {
    const cases: [string, Uint8Array, RegExp][] = [
      ['version 2', withIndex(new Uint8Array(1), 1, 2), /^the quilt version does not match the expected version: 2, expected: 1$/],
      ['version 0 (not a quilt)', new Uint8Array(layout.columnBytes), /^the quilt version does not match the expected version: 0, expected: 1$/],
      ['length past ten columns', withIndex(new Uint8Array(0), layout.columnBytes * 10), /^invalid quilt data: quilt index size \(\d+\) exceeds maximum/],
      ['length 2^32 − 1', withIndex(new Uint8Array(0), 0xffff_ffff), /^invalid quilt data: quilt index size/],
      ['trailing bytes', withIndex(Uint8Array.of(0, 0)), /^failed to decode the quilt index: .*trailing/],
      ['vector count past the bytes', withIndex(Uint8Array.of(0xff, 0xff, 0x03)), /^failed to decode the quilt index: /],
      ['non-canonical ULEB128', withIndex(Uint8Array.of(0x80, 0x00)), /^failed to decode the quilt index: .*ULEB128/],
      ['invalid UTF-8', withIndex(Uint8Array.of(1, 2, 0, 1, 0xff, 0)), /^failed to decode the quilt index: .*UTF-8/],
      ['end not after start', withIndex(entry(new BcsWriter().uleb128(1), 1, 'a').toBytes()), /^invalid quilt data: patch 0 ends at column 1, not after/],
      ['ends not increasing', withIndex(entry(entry(new BcsWriter().uleb128(2), 3, 'a'), 3, 'b').toBytes()), /^invalid quilt data: patch 1 ends at column 3/],
      ['end past the columns', withIndex(entry(new BcsWriter().uleb128(1), 8, 'a').toBytes()), /^invalid quilt data: patch 0 ends at column 8, past the quilt's 7 columns$/],
      [
        'tag keys out of order',
        withIndex(entry(new BcsWriter().uleb128(1), 2, 'a', [[text('b'), text('1')], [text('a'), text('2')]]).toBytes()),
        /^failed to decode the quilt index: .*canonical order/,
      ],
      [
        'duplicate tag keys',
        withIndex(entry(new BcsWriter().uleb128(1), 2, 'a', [[text('a'), text('1')], [text('a'), text('2')]]).toBytes()),
        /^failed to decode the quilt index: .*canonical order/,
      ],
    ];
    for (const [name, columns, message] of cases) {
      assert.throws(() => parseQuiltIndex(columns, layout), (error: unknown) => {
        assert.ok(error instanceof QuiltError, `${name}: ${String(error)}`);
        assert.equal(error.code, 'MALFORMED_QUILT', name);
        assert.match(error.message, message, name);
        return true;
      });
    }
    // Canonical order is by serialized key (length prefix first), so "b" before "aa" is right.
    const canonical = withIndex(entry(new BcsWriter().uleb128(1), 2, 'a', [[text('b'), text('1')], [text('aa'), text('2')]]).toBytes());
    const parsed = parseQuiltIndex(canonical, layout);
    assert.equal(parsed.kind, 'index');
    assert.deepEqual(parsed.kind === 'index' && parsed.patches, [{ identifier: 'a', tags: { b: '1', aa: '2' }, startColumn: 1, endColumn: 2 }]);
    // An own "__proto__" key stays data.
    const proto = parseQuiltIndex(withIndex(entry(new BcsWriter().uleb128(1), 2, 'a', [[text('__proto__'), text('x')]]).toBytes()), layout);
    assert.ok(proto.kind === 'index' && Object.getPrototypeOf(proto.patches[0].tags) === Object.prototype && Object.keys(proto.patches[0].tags)[0] === '__proto__');
  });

  test('every truncation of the index columns: more columns, or a QuiltError', () => {
    for (let length = 0; length < indexBytes.length; length++) {
      const parsed = onlyQuiltErrors(() => parseQuiltIndex(indexBytes.subarray(0, length), layout), `length ${length}`);
      assert.ok(parsed, `a prefix of a valid index is never an error (length ${length})`);
      if (parsed.kind === 'more') assert.ok(parsed.columns * layout.columnBytes > length && parsed.columns <= 10);
    }
  });

  test('random mutations of the index columns', () => {
    const next = seededRandom(7);
    // Mostly inside the prefix and the index itself, where a flipped byte means something.
    const indexEnd = QUILT_INDEX_PREFIX_BYTES + Buffer.from(indexBytes).readUInt32LE(QUILT_INDEX_LENGTH_OFFSET);
    for (let round = 0; round < 3000; round++) {
      const mutated = indexBytes.slice();
      const flips = 1 + Math.floor(next() * 4);
      const span = next() < 0.8 ? indexEnd : mutated.length;
      for (let i = 0; i < flips; i++) mutated[Math.floor(next() * span)] = Math.floor(next() * 256);
      const cut = next() < 0.2 ? Math.floor(next() * mutated.length) : mutated.length;
      const parsed = onlyQuiltErrors(() => parseQuiltIndex(mutated.subarray(0, cut), layout), `round ${round}`, 'MALFORMED_QUILT');
      if (parsed?.kind !== 'index') continue;
      let start = parsed.indexColumns;
      for (const patch of parsed.patches) {
        assert.equal(patch.startColumn, start);
        assert.ok(patch.endColumn > patch.startColumn && patch.endColumn <= layout.columns);
        start = patch.endColumn;
      }
    }
  });

  test('random bytes as index columns', () => {
    for (let round = 0; round < 2000; round++) {
      const garbage = randomBytes(round % 200, round);
      if (round % 2 === 0 && garbage.length > 0) garbage[0] = 1;
      onlyQuiltErrors(() => parseQuiltIndex(garbage, layout), `round ${round}`, 'MALFORMED_QUILT');
    }
  });

  test('truncated and mutated patch columns', () => {
    const next = seededRandom(11);
    for (const patch of patches) {
      const columns = quiltColumns(blob, layout, patch.startColumn, patch.endColumn);
      for (let length = 0; length < Math.min(columns.length, 200); length++) {
        onlyQuiltErrors(() => extractQuiltPatch(columns.subarray(0, length), patch), `${patch.identifier} cut at ${length}`, 'MALFORMED_QUILT');
      }
      for (let round = 0; round < 1000; round++) {
        const mutated = columns.slice();
        const flips = 1 + Math.floor(next() * 3);
        for (let i = 0; i < flips; i++) mutated[Math.floor(next() * Math.min(mutated.length, 80))] = Math.floor(next() * 256);
        const read = onlyQuiltErrors(() => extractQuiltPatch(mutated, round % 2 ? patch : { startColumn: patch.startColumn, endColumn: patch.endColumn }), `${patch.identifier} round ${round}`, 'MALFORMED_QUILT');
        if (read) assert.ok(read.data.length <= mutated.length);
      }
    }
  });
});

describe('what the encoder refuses, in the reference wording', () => {
  const at10 = EncodingParams.forShards(10);
  const file = (identifier: string, contents = text('x')): QuiltInput => ({ identifier, contents });

  test('no files', () => {
    assertQuiltError(() => encodeQuiltV1([], at10), 'INVALID_QUILT_INPUT', 'blobs is empty');
  });

  test('duplicate identifiers', () => {
    assertQuiltError(() => encodeQuiltV1([file('b'), file('a'), file('b')], at10), 'INVALID_QUILT_INPUT', 'duplicate identifier found: b');
  });

  test('identifiers Rust refuses', () => {
    const cases: [string, string][] = [
      ['', 'invalid identifier: identifier is empty'],
      ['name ', 'invalid identifier: identifier contains trailing whitespace: name '],
      ['name\u0085', 'invalid identifier: identifier contains trailing whitespace: name\u0085'],
      ['te\bst', 'invalid identifier: identifier contains control characters: te\bst'],
      ['x\u009f', 'invalid identifier: identifier contains control characters: x\u009f'],
      ['lone \ud800 surrogate', 'invalid identifier: identifier contains a lone UTF-16 surrogate'],
      ['é'.repeat(32_768), 'invalid identifier: identifier too long: 65536'],
      ['a'.repeat(MAX_QUILT_IDENTIFIER_BYTES + 1), 'invalid identifier: identifier size exceeds maximum allowed value: 65535'],
    ];
    for (const [identifier, message] of cases) assertQuiltError(() => encodeQuiltV1([file(identifier)], at10), 'INVALID_QUILT_INPUT', message);
    // Inside the BMP but outside JS `\s`: U+FEFF is not Unicode White_Space, so Rust accepts it at the end.
    assert.equal(encodeQuiltV1([file('bom\uFEFF')], at10).patches[0].identifier, 'bom\uFEFF');
    const longest = 'a'.repeat(MAX_QUILT_IDENTIFIER_BYTES);
    const quilt = encodeQuiltV1([file(longest)], at10);
    const layout = quiltLayout(at10, quilt.bytes.length);
    const [patch] = (parseQuiltIndex(quiltColumns(quilt.bytes, layout, 0, quilt.patches[0].startColumn), layout) as { patches: QuiltPatch[] }).patches;
    assert.equal(extractQuiltPatch(quiltColumns(quilt.bytes, layout, patch.startColumn, patch.endColumn), patch).identifier, longest);
  });

  test('tags too large for their u16 size field', () => {
    assertQuiltError(
      () => encodeQuiltV1([{ ...file('a'), tags: { k: 'v'.repeat(70_000) } }], at10),
      'INVALID_QUILT_INPUT',
      'other error: Failed to convert tags size to u16: out of range integral type conversion attempted',
    );
  });

  test('more files than columns', () => {
    const seven = Array.from({ length: 7 }, (_, i) => file(`f${i}`));
    assertQuiltError(() => encodeQuiltV1(seven, at10), 'QUILT_TOO_LARGE', 'too many blobs to fit in the quilt: 7 > max number of blobs: 6');
    assert.equal(encodeQuiltV1(seven.slice(1), at10).patches.length, 6);
  });

  test('a symbol past 65,534 bytes', () => {
    const at4 = EncodingParams.forShards(4);
    const big = (identifier: string) => ({ identifier, contents: new Uint8Array(200_000) });
    assertQuiltError(
      () => encodeQuiltV1([big('a'), big('b')], at4),
      'QUILT_TOO_LARGE',
      /^the quilt is too large: the resulting symbol size \d+ is larger than the maximum symbol size 65534; remove some blobs$/,
    );
  });
});
