#!/usr/bin/env node
// The container HEALTHCHECK (the node images have no curl): exit 0 when the service answers.
//   node deploy/healthcheck.mjs                      the gateway: GET /status on WALRUS_GATEWAY_BIND_ADDRESS
//   node deploy/healthcheck.mjs --local-network DIR  the local network: its ledger, from DIR/network.json
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const TIMEOUT_MS = 4000;
const DEFAULT_BIND_ADDRESS = '127.0.0.1:31415';

/** Where to reach a listener bound to HOST:PORT from inside its own container. */
function localUrl(bindAddress) {
  const match = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(bindAddress);
  if (!match) throw new Error(`cannot read the address ${JSON.stringify(bindAddress)}`);
  const host = { '0.0.0.0': '127.0.0.1', '[::]': '[::1]' }[match[1]] ?? match[1];
  return `http://${host}:${match[2]}`;
}

function target(args) {
  const at = args.indexOf('--local-network');
  if (at >= 0) {
    const { ledgerUrl } = JSON.parse(readFileSync(join(args[at + 1], 'network.json'), 'utf8'));
    return `${ledgerUrl}/v1/network`;
  }
  return `${localUrl(process.env.WALRUS_GATEWAY_BIND_ADDRESS || DEFAULT_BIND_ADDRESS)}/status`;
}

try {
  const url = target(process.argv.slice(2));
  const response = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
  await response.arrayBuffer();
  if (!response.ok) {
    console.error(`${url} answered ${response.status}`);
    process.exit(1);
  }
} catch (error) {
  console.error(`unhealthy: ${error.message}`);
  process.exit(1);
}
