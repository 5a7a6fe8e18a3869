#!/usr/bin/env node
// Builds the native codec addon (native/ → native/build/Release/walrus_codec.node) with node-gyp.
// Run by `npm install` / `npm ci` through package.json's "install" script.
//
// The addon only makes the codec faster, so a failed build must never fail the install: the
// gateway then uses the portable TypeScript codec, and this script says so in one line.
// Set WALRUS_SKIP_NATIVE_BUILD=1 to skip the build altogether.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const NATIVE_DIR = join(PACKAGE_ROOT, 'native');
const ADDON = join(NATIVE_DIR, 'build', 'Release', 'walrus_codec.node');
const NODE_GYP_SCRIPT = join('node-gyp', 'bin', 'node-gyp.js');
const TAG = 'walrus-gateway';

function main() {
  if (process.env.WALRUS_SKIP_NATIVE_BUILD === '1') {
    console.log(`${TAG}: WALRUS_SKIP_NATIVE_BUILD=1, not building the native codec (the portable codec will be used)`);
    return;
  }
  const nodeGyp = findNodeGyp();
  if (!nodeGyp) {
    warn('node-gyp was not found');
    return;
  }
  const result = spawnSync(process.execPath, [nodeGyp, 'rebuild', '--jobs=max', '--loglevel=warn', ...nodeDirArgs()], {
    cwd: NATIVE_DIR,
    stdio: 'inherit',
  });
  if (result.error) {
    warn(`node-gyp could not run: ${result.error.message}`);
  } else if (result.status !== 0) {
    warn(`node-gyp exited with ${result.status ?? result.signal}`);
  } else if (!existsSync(ADDON)) {
    warn(`node-gyp succeeded but ${ADDON} is missing`);
  } else {
    console.log(`${TAG}: built the native codec (${ADDON})`);
  }
}

/** node-gyp as npm provides it to install scripts, else the copy bundled with npm itself. */
function findNodeGyp() {
  const nodeBin = dirname(process.execPath);
  const candidates = [
    process.env.npm_config_node_gyp,
    // npm's own dependencies: npm-cli.js lives in <npm>/bin, node-gyp in <npm>/node_modules.
    process.env.npm_execpath && join(dirname(process.env.npm_execpath), '..', 'node_modules', NODE_GYP_SCRIPT),
    join(PACKAGE_ROOT, 'node_modules', NODE_GYP_SCRIPT),
    // Unix layout: <prefix>/bin/node and <prefix>/lib/node_modules/npm.
    join(nodeBin, '..', 'lib', 'node_modules', 'npm', 'node_modules', NODE_GYP_SCRIPT),
    // Windows layout: node.exe next to node_modules/npm.
    join(nodeBin, 'node_modules', 'npm', 'node_modules', NODE_GYP_SCRIPT),
  ];
  return candidates.find((path) => path && existsSync(path));
}

/**
 * Without a configured nodedir node-gyp downloads the Node headers. When the running Node has
 * its headers installed beside it (official tarballs and most packages do), use those: they
 * match exactly and need no network.
 */
function nodeDirArgs() {
  if (process.env.npm_config_nodedir) return [];
  const prefix = resolve(dirname(process.execPath), '..');
  return existsSync(join(prefix, 'include', 'node', 'common.gypi')) ? [`--nodedir=${prefix}`] : [];
}

function warn(reason) {
  console.warn(`${TAG}: WARNING: native codec not built (${reason}); the portable TypeScript codec will be used.`);
}

main();
