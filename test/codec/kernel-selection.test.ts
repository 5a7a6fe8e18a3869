/** Which kernel a process uses: native when it loads, the portable fallback otherwise, and why. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

/** A run that opted out of the native kernel (a machine that cannot build it) skips what needs it. */
const NATIVE_SKIP = process.env.WALRUS_CODEC_KERNEL === 'portable' && 'WALRUS_CODEC_KERNEL=portable: no native kernel in this run';
const SELECT = new URL('../../src/codec/kernel/select-kernel.ts', import.meta.url).href;
const PROBE = `
  const { kernelSelection } = await import(${JSON.stringify(SELECT)});
  try {
    const { kernel, description } = kernelSelection();
    console.log(JSON.stringify({ name: kernel.name, description }));
  } catch (error) {
    console.log(JSON.stringify({ error: error.message }));
  }
`;

function select(env: Record<string, string>): { name?: string; description?: string; error?: string } {
  const { WALRUS_CODEC_KERNEL: _kernel, WALRUS_NATIVE_ADDON: _addon, WALRUS_CODEC_SIMD: _simd, ...inherited } = process.env;
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', PROBE], {
    env: { ...inherited, ...env },
    encoding: 'utf8',
  });
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(result.stdout) as { name?: string; description?: string; error?: string };
}

test('the native kernel is used when it loads', { skip: NATIVE_SKIP }, () => {
  const selected = select({});
  assert.equal(selected.name, 'native');
  assert.match(selected.description!, /^codec kernel: native \(\S+, \d+ threads\)$/);
});

test('without the addon the portable kernel takes over and says why', () => {
  const selected = select({ WALRUS_NATIVE_ADDON: '/nonexistent/walrus_codec.node' });
  assert.equal(selected.name, 'portable');
  assert.match(selected.description!, /portable, because .*\/nonexistent\/walrus_codec\.node does not exist/);
});

test('WALRUS_CODEC_KERNEL=native requires the native kernel', { skip: NATIVE_SKIP }, () => {
  assert.equal(select({ WALRUS_CODEC_KERNEL: 'native' }).name, 'native');
});

test('WALRUS_CODEC_KERNEL forces a kernel, and refuses what it cannot have', () => {
  assert.equal(select({ WALRUS_CODEC_KERNEL: 'portable' }).name, 'portable');
  assert.match(select({ WALRUS_CODEC_KERNEL: 'native', WALRUS_NATIVE_ADDON: '/nonexistent.node' }).error!, /WALRUS_CODEC_KERNEL=native, but/);
  assert.match(select({ WALRUS_CODEC_KERNEL: 'fast' }).error!, /must be native or portable/);
});

test('WALRUS_CODEC_SIMD caps the native kernel\'s instruction set, and refuses an unknown level', { skip: NATIVE_SKIP }, () => {
  assert.match(select({ WALRUS_CODEC_SIMD: 'scalar' }).description!, /^codec kernel: native \(scalar, \d+ threads\)$/);
  assert.match(select({ WALRUS_CODEC_SIMD: 'sse9' }).error!, /WALRUS_CODEC_SIMD must be one of scalar, ssse3/);
});

test('WALRUS_CODEC_SIMD without a native build leaves the portable fallback in place', () => {
  const selected = select({ WALRUS_CODEC_SIMD: 'avx2', WALRUS_NATIVE_ADDON: '/nonexistent/walrus_codec.node' });
  assert.equal(selected.name, 'portable');
});
