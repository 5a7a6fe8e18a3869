/**
 * The gateway's one configuration, read once at start-up from flags and environment variables
 * (a flag wins over its variable). Every bad value fails fast with a message naming the flag or
 * variable and the value. README "Configuration" documents every entry of {@link OPTIONS}.
 */
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { resolveSuiNetwork, SUI_NETWORKS, SuiNetworkConfigError, type ResolvedSuiNetwork } from './chain/sui-network-presets.ts';
import { JWT_ALGORITHMS, type JwtAlgorithm, type JwtAuthConfig } from './publisher/jwt-config.ts';
import type { TipPolicy } from './relay/tip-config.ts';

/** The spool directory's name under `--data-dir` (http/spool-directory.ts). */
export const SPOOL_SUBDIR = 'spool';

export type GatewayMode = 'aggregator' | 'publisher' | 'daemon' | 'upload-relay';
export const NETWORK_NAMES = ['local', ...SUI_NETWORKS] as const;
export type NetworkName = (typeof NETWORK_NAMES)[number];

/** The reference's default attribute allow-list (`args.rs` `default::allowed_headers`). */
export const DEFAULT_ALLOWED_HEADERS = ['content-type', 'authorization', 'content-disposition', 'content-encoding', 'content-language', 'content-location', 'link'];
/** The reference's hard-coded read `Cache-Control`. */
export const DEFAULT_CACHE_CONTROL = 'public, max-age=86400, stale-while-revalidate=3600';
const MIB = 1024 * 1024;

export interface GatewayConfig {
  readonly mode: GatewayMode;
  readonly bindHost: string;
  readonly bindPort: number;
  readonly metricsHost: string;
  readonly metricsPort: number;
  readonly network: NetworkName;
  /** Where the Walrus system lives on a Sui network (presets with overrides applied); unset on `local`. */
  readonly sui: ResolvedSuiNetwork | undefined;
  /** Directory of a running local network (its network.json); unset → start one embedded. */
  readonly localNetworkDir: string | undefined;
  readonly dataDir: string;
  readonly blocklistPath: string | undefined;
  readonly maxBlobSize: number | undefined;
  readonly allowedHeaders: readonly string[];
  /** Send every quilt patch tag as a header, not only the allow-listed ones (the reference's flag). */
  readonly allowQuiltPatchTagsInResponse: boolean;
  readonly cacheSizeBytes: number;
  /** Blobs larger than this fraction of the cache are served but never cached. */
  readonly cacheMaxEntryFraction: number;
  /** Bodies of uncached reads larger than this (bytes) are streamed row by row, not rebuilt whole first. */
  readonly streamThreshold: number;
  readonly metadataCacheEntries: number;
  readonly cacheControl: string;
  readonly errorCacheSeconds: number;
  readonly corsOrigins: readonly string[] | '*';
  /** Operator opt-out of `Content-Security-Policy: sandbox` on script-capable types. */
  readonly allowScriptContent: boolean;
  /** Serve the web console at `/` (`--no-console` turns it off). */
  readonly console: boolean;
  readonly maxConcurrentRequests: number;
  readonly maxBufferSize: number;
  readonly nodeTimeoutMs: number;
  readonly hedgeDelayMs: number;
  /** Longest wait for a request's headers, from its first byte (Node's `headersTimeout`). */
  readonly requestHeaderTimeoutMs: number;
  /** Worker threads that encode and decode off the event loop; 0 runs the codec on it. */
  readonly codecWorkers: number;
  readonly logLevel: string;
  readonly publisher: PublisherConfig;
  readonly relay: RelayConfig;
}

/** The publisher's options (docs/http-api.md §2.4–§2.5); used in `publisher` and `daemon` modes. */
export interface PublisherConfig {
  /** `--wallet-key-file`; the key itself may come from WALRUS_GATEWAY_WALLET_KEY instead. */
  readonly walletKeyFile: string | undefined;
  /** The main wallet's `suiprivkey…` text. A secret: never logged or echoed. */
  readonly walletKey: string | undefined;
  readonly subWalletsDir: string;
  readonly nClients: number;
  readonly maxBodySize: number;
  /** Limit of a whole `PUT /v1/quilts` multipart body. */
  readonly maxQuiltBodySize: number;
  /** `PUT /v1/blobs` bodies longer than this are spooled to a file in {@link spoolDir} and encoded from it. */
  readonly spoolThreshold: number;
  /** Bytes of a spooled blob its encode reads at a time (it holds about 8× this plus the leaves). */
  readonly spoolStripeBytes: number;
  /** `DATA_DIR/spool`: the spool files, swept at start-up. */
  readonly spoolDir: string;
  readonly maxConcurrentRequests: number;
  readonly maxBufferSize: number;
  readonly refillIntervalMs: number;
  readonly walRefillAmount: bigint;
  /** MIST of SUI per sub-wallet refill; unused on `local`, whose ledger charges no gas. */
  readonly gasRefillAmount: bigint;
  readonly subWalletsMinBalance: bigint;
  readonly bodyTimeouts: BodyTimeouts;
  readonly jwt: JwtAuthConfig;
}

/** The upload relay's options (docs/http-api.md §1.10); used by `upload-relay` and `daemon --upload-relay`. */
export interface RelayConfig {
  /** Whether this process serves the relay routes: always in `upload-relay`, on `--upload-relay` in `daemon`. */
  readonly enabled: boolean;
  /** `null`: the relay is free (`no_tip`, the default). */
  readonly tip: TipPolicy | null;
  /** How long after its execution a tip transaction may be used (the reference's `tx_freshness_threshold_secs`). */
  readonly txFreshnessMs: number;
  /** How far in the future a tip transaction's timestamp may be (the reference's `tx_max_future_threshold`). */
  readonly txMaxFutureMs: number;
  readonly maxBodySize: number;
  readonly maxConcurrentRequests: number;
  /** Running + queued. */
  readonly maxBufferSize: number;
  /** The same flags as the publisher's bodies. */
  readonly bodyTimeouts: BodyTimeouts;
}

/** How slowly a PUT body may arrive before it is answered 408 (as Apache mod_reqtimeout's `body=…,MinRate=…`). */
export interface BodyTimeouts {
  /** Longest gap between two body bytes. */
  readonly idleTimeoutMs: number;
  /** Average bytes per second the body must keep up after the grace period; 0 turns the check off. */
  readonly minBytesPerSecond: number;
  /** Time at the start of the body during which no rate is required (TCP slow start, a slow first hop). */
  readonly minRateGraceMs: number;
}

type Kind = 'string' | 'boolean';
interface OptionSpec {
  readonly env: string;
  readonly kind: Kind;
  readonly default?: string;
}

/** Every option: flag name → environment variable, kind and default (as text). */
export const OPTIONS = {
  'bind-address': { env: 'WALRUS_GATEWAY_BIND_ADDRESS', kind: 'string', default: '127.0.0.1:31415' },
  'metrics-address': { env: 'WALRUS_GATEWAY_METRICS_ADDRESS', kind: 'string', default: '127.0.0.1:27182' },
  network: { env: 'WALRUS_GATEWAY_NETWORK', kind: 'string', default: 'local' },
  'rpc-url': { env: 'WALRUS_GATEWAY_RPC_URL', kind: 'string' },
  'system-object': { env: 'WALRUS_GATEWAY_SYSTEM_OBJECT', kind: 'string' },
  'staking-object': { env: 'WALRUS_GATEWAY_STAKING_OBJECT', kind: 'string' },
  'local-network-dir': { env: 'WALRUS_GATEWAY_LOCAL_NETWORK_DIR', kind: 'string' },
  'data-dir': { env: 'WALRUS_GATEWAY_DATA_DIR', kind: 'string', default: '.data' },
  blocklist: { env: 'WALRUS_GATEWAY_BLOCKLIST', kind: 'string' },
  'max-blob-size': { env: 'WALRUS_GATEWAY_MAX_BLOB_SIZE', kind: 'string' },
  'allowed-headers': { env: 'WALRUS_GATEWAY_ALLOWED_HEADERS', kind: 'string', default: DEFAULT_ALLOWED_HEADERS.join(',') },
  'cache-size': { env: 'WALRUS_GATEWAY_CACHE_SIZE', kind: 'string', default: String(256 * MIB) },
  'cache-max-entry-fraction': { env: 'WALRUS_GATEWAY_CACHE_MAX_ENTRY_FRACTION', kind: 'string', default: '0.25' },
  'stream-threshold': { env: 'WALRUS_GATEWAY_STREAM_THRESHOLD', kind: 'string', default: '4MiB' },
  'metadata-cache-entries': { env: 'WALRUS_GATEWAY_METADATA_CACHE_ENTRIES', kind: 'string', default: '4096' },
  'cache-control': { env: 'WALRUS_GATEWAY_CACHE_CONTROL', kind: 'string', default: DEFAULT_CACHE_CONTROL },
  'error-cache-seconds': { env: 'WALRUS_GATEWAY_ERROR_CACHE_SECONDS', kind: 'string', default: '5' },
  'cors-origins': { env: 'WALRUS_GATEWAY_CORS_ORIGINS', kind: 'string', default: '*' },
  'allow-quilt-patch-tags-in-response': { env: 'WALRUS_GATEWAY_ALLOW_QUILT_PATCH_TAGS_IN_RESPONSE', kind: 'boolean' },
  'allow-script-content': { env: 'WALRUS_GATEWAY_ALLOW_SCRIPT_CONTENT', kind: 'boolean' },
  'no-console': { env: 'WALRUS_GATEWAY_NO_CONSOLE', kind: 'boolean' },
  'aggregator-max-concurrent-requests': { env: 'WALRUS_GATEWAY_MAX_CONCURRENT_REQUESTS', kind: 'string', default: '256' },
  'aggregator-max-buffer-size': { env: 'WALRUS_GATEWAY_MAX_BUFFER_SIZE', kind: 'string', default: '320' },
  'node-timeout-ms': { env: 'WALRUS_GATEWAY_NODE_TIMEOUT_MS', kind: 'string', default: '10000' },
  'hedge-delay-ms': { env: 'WALRUS_GATEWAY_HEDGE_DELAY_MS', kind: 'string', default: '250' },
  'codec-workers': { env: 'WALRUS_GATEWAY_CODEC_WORKERS', kind: 'string', default: 'auto' },
  'request-header-timeout': { env: 'WALRUS_GATEWAY_REQUEST_HEADER_TIMEOUT', kind: 'string', default: '20s' },
  'body-idle-timeout': { env: 'WALRUS_GATEWAY_BODY_IDLE_TIMEOUT', kind: 'string', default: '30s' },
  'body-min-rate': { env: 'WALRUS_GATEWAY_BODY_MIN_RATE', kind: 'string', default: '16KiB' },
  'body-min-rate-grace': { env: 'WALRUS_GATEWAY_BODY_MIN_RATE_GRACE', kind: 'string', default: '10s' },
  'log-level': { env: 'WALRUS_GATEWAY_LOG_LEVEL', kind: 'string', default: 'info' },
  'wallet-key-file': { env: 'WALRUS_GATEWAY_WALLET_KEY_FILE', kind: 'string' },
  'sub-wallets-dir': { env: 'WALRUS_GATEWAY_SUB_WALLETS_DIR', kind: 'string' },
  'n-clients': { env: 'WALRUS_GATEWAY_N_CLIENTS', kind: 'string', default: '8' },
  'max-body-size': { env: 'WALRUS_GATEWAY_MAX_BODY_SIZE', kind: 'string', default: '10240' },
  'max-quilt-body-size': { env: 'WALRUS_GATEWAY_MAX_QUILT_BODY_SIZE', kind: 'string', default: '102400' },
  'spool-threshold': { env: 'WALRUS_GATEWAY_SPOOL_THRESHOLD', kind: 'string', default: '64MiB' },
  'spool-stripe-size': { env: 'WALRUS_GATEWAY_SPOOL_STRIPE_SIZE', kind: 'string', default: '16MiB' },
  'publisher-max-concurrent-requests': { env: 'WALRUS_GATEWAY_PUBLISHER_MAX_CONCURRENT_REQUESTS', kind: 'string', default: '8' },
  'publisher-max-buffer-size': { env: 'WALRUS_GATEWAY_PUBLISHER_MAX_BUFFER_SIZE', kind: 'string', default: '8' },
  'refill-interval': { env: 'WALRUS_GATEWAY_REFILL_INTERVAL', kind: 'string', default: '1s' },
  'wal-refill-amount': { env: 'WALRUS_GATEWAY_WAL_REFILL_AMOUNT', kind: 'string', default: '500000000' },
  'gas-refill-amount': { env: 'WALRUS_GATEWAY_GAS_REFILL_AMOUNT', kind: 'string', default: '500000000' },
  'sub-wallets-min-balance': { env: 'WALRUS_GATEWAY_SUB_WALLETS_MIN_BALANCE', kind: 'string', default: '500000000' },
  'jwt-decode-secret': { env: 'WALRUS_GATEWAY_JWT_DECODE_SECRET', kind: 'string' },
  'jwt-algorithm': { env: 'WALRUS_GATEWAY_JWT_ALGORITHM', kind: 'string', default: 'HS256' },
  'jwt-expiring-sec': { env: 'WALRUS_GATEWAY_JWT_EXPIRING_SEC', kind: 'string', default: '0' },
  'jwt-verify-upload': { env: 'WALRUS_GATEWAY_JWT_VERIFY_UPLOAD', kind: 'boolean' },
  'jwt-cache-size': { env: 'WALRUS_GATEWAY_JWT_CACHE_SIZE', kind: 'string', default: '10000' },
  'jwt-cache-refresh-interval': { env: 'WALRUS_GATEWAY_JWT_CACHE_REFRESH_INTERVAL', kind: 'string', default: '5s' },
  'upload-relay': { env: 'WALRUS_GATEWAY_UPLOAD_RELAY', kind: 'boolean' },
  'tip-address': { env: 'WALRUS_GATEWAY_TIP_ADDRESS', kind: 'string' },
  'tip-const': { env: 'WALRUS_GATEWAY_TIP_CONST', kind: 'string' },
  'tip-base': { env: 'WALRUS_GATEWAY_TIP_BASE', kind: 'string' },
  'tip-per-encoded-kib': { env: 'WALRUS_GATEWAY_TIP_PER_ENCODED_KIB', kind: 'string' },
  'tip-tx-freshness': { env: 'WALRUS_GATEWAY_TIP_TX_FRESHNESS', kind: 'string', default: '1h' },
  'tip-tx-max-future': { env: 'WALRUS_GATEWAY_TIP_TX_MAX_FUTURE', kind: 'string', default: '30s' },
  'relay-max-body-size': { env: 'WALRUS_GATEWAY_RELAY_MAX_BODY_SIZE', kind: 'string', default: '102400' },
  'relay-max-concurrent-requests': { env: 'WALRUS_GATEWAY_RELAY_MAX_CONCURRENT_REQUESTS', kind: 'string', default: '8' },
  'relay-max-buffer-size': { env: 'WALRUS_GATEWAY_RELAY_MAX_BUFFER_SIZE', kind: 'string', default: '8' },
} as const satisfies Record<string, OptionSpec>;

/** Secrets: read like any option, but never echoed in an error message. */
const SECRET_OPTIONS = new Set<string>(['jwt-decode-secret']);
/** The main wallet key has no flag: a flag would show in `ps`. */
export const WALLET_KEY_ENV = 'WALRUS_GATEWAY_WALLET_KEY';

type OptionName = keyof typeof OPTIONS;

/** A configuration that cannot be used; the message names the flag or variable and the value. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const SIZE_UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, kib: 1024, m: MIB, mib: MIB, g: 1024 * MIB, gib: 1024 * MIB };
const MAX_PORT = 65_535;

class Reader {
  constructor(
    private readonly flags: Record<string, string | boolean | undefined>,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  /** The raw text and where it came from, for error messages. */
  raw(name: OptionName): { text: string | undefined; source: string } {
    const spec: OptionSpec = OPTIONS[name];
    const flag = this.flags[name];
    if (flag !== undefined) return { text: String(flag), source: `--${name}` };
    const fromEnv = this.env[spec.env];
    if (fromEnv !== undefined && fromEnv !== '') return { text: fromEnv, source: spec.env };
    return { text: spec.default, source: `--${name} (default)` };
  }

  fail(name: OptionName, must: string): never {
    const { text, source } = this.raw(name);
    if (SECRET_OPTIONS.has(name)) throw new ConfigError(`${source} ${must}`);
    throw new ConfigError(`${source} ${must}, got ${JSON.stringify(text)}`);
  }

  string(name: OptionName): string | undefined {
    return this.raw(name).text;
  }

  boolean(name: OptionName): boolean {
    const text = this.raw(name).text;
    if (text === undefined) return false;
    if (/^(true|1|yes)$/i.test(text)) return true;
    if (/^(false|0|no)$/i.test(text)) return false;
    return this.fail(name, 'must be true or false');
  }

  integer(name: OptionName, min: number): number {
    const text = this.raw(name).text ?? '';
    if (!/^\d+$/.test(text) || Number(text) < min || !Number.isSafeInteger(Number(text))) this.fail(name, `must be a whole number ≥ ${min}`);
    return Number(text);
  }

  /** Bytes, optionally with a unit: 1048576, 1MiB, 256m. */
  size(name: OptionName): number | undefined {
    const text = this.raw(name).text;
    if (text === undefined) return undefined;
    const match = /^(\d+)\s*([a-z]*)$/i.exec(text.trim());
    const unit = match ? SIZE_UNITS[match[2].toLowerCase()] : undefined;
    if (!match || unit === undefined) this.fail(name, 'must be a byte count, optionally with K, M or G (KiB, MiB, GiB)');
    return Number(match[1]) * unit;
  }

  /** A duration: `1s`, `500ms`, `2m`; a bare number is seconds (as the reference's humantime). */
  durationMs(name: OptionName): number {
    const text = this.raw(name).text ?? '';
    const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/.exec(text.trim());
    if (!match) this.fail(name, 'must be a duration such as 1s, 500ms or 2m');
    const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[match[2] ?? 's'] ?? 1000;
    const ms = Number(match[1]) * unit;
    if (!(ms > 0)) this.fail(name, 'must be longer than 0');
    return ms;
  }

  /** KiB as the reference's `--max-body-size <KiB>`; with a unit (`16MiB`), that unit. */
  kibOrSize(name: OptionName): number {
    const text = (this.raw(name).text ?? '').trim();
    if (/^\d+$/.test(text)) return Number(text) * 1024;
    return this.size(name) ?? 0;
  }

  /** A whole amount of the coin's smallest unit (FROST of WAL, MIST of SUI). */
  amount(name: OptionName, unit: 'FROST' | 'MIST'): bigint {
    const text = this.raw(name).text ?? '';
    if (!/^\d+$/.test(text)) this.fail(name, `must be a whole number of ${unit}`);
    return BigInt(text);
  }

  /** Whether the flag or its variable was given (defaults do not count). */
  given(name: OptionName): boolean {
    return !this.raw(name).source.endsWith('(default)');
  }

  fraction(name: OptionName): number {
    const value = Number(this.raw(name).text);
    if (!(value > 0 && value <= 1)) this.fail(name, 'must be a number in (0, 1]');
    return value;
  }

  address(name: OptionName): { host: string; port: number } {
    const text = this.raw(name).text ?? '';
    const match = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(text);
    if (!match || Number(match[2]) > MAX_PORT) this.fail(name, 'must be HOST:PORT');
    return { host: match[1].replace(/^\[|\]$/g, ''), port: Number(match[2]) };
  }
}

function parseFlags(args: string[]): Record<string, string | boolean | undefined> {
  const options = Object.fromEntries(Object.entries(OPTIONS).map(([name, spec]) => [name, { type: spec.kind }])) as Record<string, { type: Kind }>;
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
}

/** Reads and validates the configuration for `mode` from command-line `args` and `env`. */
export function loadConfig(mode: GatewayMode, args: string[], env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const read = new Reader(parseFlags(args), env);
  // A lone upload relay listens where the reference's does (port 57391; metrics 9184), so it can run beside a daemon.
  const relayAlone = mode === 'upload-relay';
  const bind = relayAlone && !read.given('bind-address') ? RELAY_BIND_DEFAULT : read.address('bind-address');
  const metrics = relayAlone && !read.given('metrics-address') ? RELAY_METRICS_DEFAULT : read.address('metrics-address');
  const network = readNetwork(read);
  const cacheSizeBytes = read.size('cache-size') ?? 0;
  const maxBlobSize = read.size('max-blob-size');
  const headers = (read.string('allowed-headers') ?? '').split(',').map((h) => h.trim().toLowerCase()).filter(Boolean);
  if (headers.some((h) => !/^[!#$%&'*+.^_`|~0-9a-z-]+$/.test(h))) read.fail('allowed-headers', 'must be comma-separated header names');
  const origins = (read.string('cors-origins') ?? '*').split(',').map((o) => o.trim()).filter(Boolean);
  if (origins.length === 0 || origins.some((o) => o !== '*' && !/^https?:\/\/[^/\s]+$/.test(o))) {
    read.fail('cors-origins', 'must be * or comma-separated origins such as https://example.com');
  }
  const logLevel = read.string('log-level') ?? 'info';
  if (!LOG_LEVELS.includes(logLevel)) read.fail('log-level', `must be one of ${LOG_LEVELS.join(', ')}`);
  const maxConcurrentRequests = read.integer('aggregator-max-concurrent-requests', 1);
  const maxBufferSize = read.integer('aggregator-max-buffer-size', 1);
  const cacheControl = read.string('cache-control') ?? DEFAULT_CACHE_CONTROL;
  if (/[\r\n]/.test(cacheControl)) read.fail('cache-control', 'must be one line');
  const publisher = loadPublisherConfig(read, env, mode, network);
  return {
    mode,
    bindHost: bind.host,
    bindPort: bind.port,
    metricsHost: metrics.host,
    metricsPort: metrics.port,
    network,
    sui: network === 'local' ? undefined : readSuiNetwork(read, network),
    localNetworkDir: read.string('local-network-dir'),
    dataDir: read.string('data-dir') ?? '.data',
    blocklistPath: read.string('blocklist'),
    maxBlobSize,
    allowedHeaders: headers,
    allowQuiltPatchTagsInResponse: read.boolean('allow-quilt-patch-tags-in-response'),
    cacheSizeBytes,
    cacheMaxEntryFraction: read.fraction('cache-max-entry-fraction'),
    streamThreshold: read.size('stream-threshold') ?? 0,
    metadataCacheEntries: read.integer('metadata-cache-entries', 1),
    cacheControl,
    errorCacheSeconds: read.integer('error-cache-seconds', 0),
    corsOrigins: origins.includes('*') ? '*' : origins,
    allowScriptContent: read.boolean('allow-script-content'),
    console: !read.boolean('no-console'),
    maxConcurrentRequests,
    maxBufferSize: Math.max(maxBufferSize, maxConcurrentRequests),
    nodeTimeoutMs: read.integer('node-timeout-ms', 1),
    hedgeDelayMs: read.integer('hedge-delay-ms', 0),
    requestHeaderTimeoutMs: read.durationMs('request-header-timeout'),
    codecWorkers: readCodecWorkers(read),
    logLevel,
    publisher,
    relay: loadRelayConfig(read, mode, network, publisher.bodyTimeouts),
  };
}

/** Most codec workers `auto` starts: each encode already spreads over the cores (the native kernel's own threads). */
const MAX_AUTO_CODEC_WORKERS = 4;
/** Most codec workers accepted at all: each holds a heap and its jobs' buffers. */
const MAX_CODEC_WORKERS = 64;

/** `--codec-workers`: a count, or `auto` — one core left to the event loop, at least one worker. */
function readCodecWorkers(read: Reader): number {
  const text = read.string('codec-workers') ?? 'auto';
  if (text === 'auto') return Math.min(MAX_AUTO_CODEC_WORKERS, Math.max(1, availableParallelism() - 1));
  if (!/^\d+$/.test(text) || Number(text) > MAX_CODEC_WORKERS) read.fail('codec-workers', `must be auto or a whole number from 0 to ${MAX_CODEC_WORKERS}`);
  return Number(text);
}

/** Options that only mean something on a Sui network. */
const SUI_ONLY_OPTIONS = ['rpc-url', 'system-object', 'staking-object'] as const satisfies readonly OptionName[];
const OBJECT_ID = /^0x[0-9a-fA-F]{1,64}$/;

/**
 * `--network`. Sui-only options on `local` are refused rather than ignored (they would suggest the
 * gateway talks to that RPC), and so is `--local-network-dir` on a Sui network.
 */
function readNetwork(read: Reader): NetworkName {
  const network = read.string('network') ?? 'local';
  if (!(NETWORK_NAMES as readonly string[]).includes(network)) read.fail('network', `must be one of ${NETWORK_NAMES.join(', ')}`);
  if (network === 'local') {
    for (const name of SUI_ONLY_OPTIONS) if (read.given(name)) read.fail(name, `applies only to --network ${SUI_NETWORKS.join(', ')}, not local`);
  } else if (read.given('local-network-dir')) {
    read.fail('local-network-dir', `applies only to --network local, not ${network}`);
  }
  return network as NetworkName;
}

/** The network's preset with `--rpc-url`, `--system-object` and `--staking-object` applied; `custom` needs all three. */
function readSuiNetwork(read: Reader, network: Exclude<NetworkName, 'local'>): ResolvedSuiNetwork {
  if (network === 'custom') {
    const missing = SUI_ONLY_OPTIONS.filter((name) => !read.given(name));
    if (missing.length > 0) {
      throw new ConfigError(`--network custom has no presets and needs ${missing.map((name) => `--${name}`).join(', ')} (or ${missing.map((name) => OPTIONS[name].env).join(', ')})`);
    }
  }
  const rpcUrl = read.string('rpc-url');
  if (rpcUrl !== undefined && !isHttpUrl(rpcUrl)) read.fail('rpc-url', 'must be an http(s) URL');
  for (const name of ['system-object', 'staking-object'] as const) {
    const id = read.string(name);
    if (id !== undefined && !OBJECT_ID.test(id)) read.fail(name, 'must be a Sui object ID (0x and up to 64 hex digits)');
  }
  try {
    return resolveSuiNetwork({ network, rpcUrl, systemObjectId: read.string('system-object'), stakingObjectId: read.string('staking-object') });
  } catch (error) {
    if (error instanceof SuiNetworkConfigError) throw new ConfigError(`--network ${network}: ${error.message}`);
    throw error;
  }
}

function isHttpUrl(text: string): boolean {
  return URL.canParse(text) && ['http:', 'https:'].includes(new URL(text).protocol);
}

function loadPublisherConfig(read: Reader, env: NodeJS.ProcessEnv, mode: GatewayMode, network: NetworkName): PublisherConfig {
  const dataDir = read.string('data-dir') ?? '.data';
  const algorithm = read.string('jwt-algorithm') ?? 'HS256';
  if (!(JWT_ALGORITHMS as readonly string[]).includes(algorithm)) read.fail('jwt-algorithm', `must be one of ${JWT_ALGORITHMS.join(', ')}`);
  const maxConcurrentRequests = read.integer('publisher-max-concurrent-requests', 1);
  const secret = read.string('jwt-decode-secret');
  if (secret !== undefined && secret.length === 0) read.fail('jwt-decode-secret', 'must not be empty');
  const walletKeyFile = read.string('wallet-key-file');
  const walletKey = env[WALLET_KEY_ENV] || undefined;
  // Only the local ledger has a faucet to fund a fresh main wallet from.
  if ((mode === 'publisher' || mode === 'daemon') && network !== 'local' && walletKeyFile === undefined && walletKey === undefined) {
    throw new ConfigError(
      `--network ${network}: the ${mode} pays for storage from a funded main wallet; set --wallet-key-file FILE (a suiprivkey1… key or a Sui keystore) or ${WALLET_KEY_ENV} — there is no faucet on ${network}`,
    );
  }
  return {
    walletKeyFile,
    walletKey,
    subWalletsDir: read.string('sub-wallets-dir') ?? `${dataDir}/sub-wallets`,
    nClients: read.integer('n-clients', 1),
    maxBodySize: read.kibOrSize('max-body-size'),
    maxQuiltBodySize: read.kibOrSize('max-quilt-body-size'),
    spoolThreshold: read.size('spool-threshold') ?? 0,
    spoolStripeBytes: positiveSize(read, 'spool-stripe-size'),
    spoolDir: `${dataDir}/${SPOOL_SUBDIR}`,
    maxConcurrentRequests,
    // The reference's queue is in addition to the running requests (`BufferLayer` before `ConcurrencyLimitLayer`).
    maxBufferSize: maxConcurrentRequests + read.integer('publisher-max-buffer-size', 0),
    refillIntervalMs: read.durationMs('refill-interval'),
    walRefillAmount: read.amount('wal-refill-amount', 'FROST'),
    gasRefillAmount: read.amount('gas-refill-amount', 'MIST'),
    subWalletsMinBalance: read.amount('sub-wallets-min-balance', 'FROST'),
    bodyTimeouts: {
      idleTimeoutMs: read.durationMs('body-idle-timeout'),
      minBytesPerSecond: read.size('body-min-rate') ?? 0,
      minRateGraceMs: read.durationMs('body-min-rate-grace'),
    },
    jwt: {
      decodeSecret: secret,
      algorithm: algorithm as JwtAlgorithm,
      expiringSec: read.integer('jwt-expiring-sec', 0),
      verifyUpload: read.boolean('jwt-verify-upload'),
      cacheSize: read.integer('jwt-cache-size', 1),
      cacheRefreshMs: read.durationMs('jwt-cache-refresh-interval'),
    },
  };
}

function positiveSize(read: Reader, name: OptionName): number {
  const bytes = read.size(name) ?? 0;
  if (bytes < 1) read.fail(name, 'must be at least one byte');
  return bytes;
}

/** The reference relay's `DEFAULT_SERVER_ADDRESS` port, on loopback as every default of ours. */
export const RELAY_DEFAULT_PORT = 57_391;
const RELAY_BIND_DEFAULT = { host: '127.0.0.1', port: RELAY_DEFAULT_PORT };
/** The reference relay's `--metrics-address` default. */
const RELAY_METRICS_DEFAULT = { host: '127.0.0.1', port: 9184 };
const RELAY_OPTIONS = [
  'tip-address',
  'tip-const',
  'tip-base',
  'tip-per-encoded-kib',
  'tip-tx-freshness',
  'tip-tx-max-future',
  'relay-max-body-size',
  'relay-max-concurrent-requests',
  'relay-max-buffer-size',
] as const satisfies readonly OptionName[];
/** Tips are served as JSON numbers (the reference's u64 in serde_json); above this they would lose digits in JavaScript clients. */
const MAX_TIP = BigInt(Number.MAX_SAFE_INTEGER);
const SUI_ADDRESS = /^0x[0-9a-fA-F]{1,64}$/;
const ADDRESS_HEX_DIGITS = 64;

/**
 * The relay's options. Relay flags where no relay runs are refused rather than ignored (a tip the
 * operator set must not silently not apply), and so is a tip without an address or an address
 * without a tip.
 */
function loadRelayConfig(read: Reader, mode: GatewayMode, network: NetworkName, bodyTimeouts: BodyTimeouts): RelayConfig {
  if (read.given('upload-relay') && mode !== 'daemon' && mode !== 'upload-relay') read.fail('upload-relay', `applies only to daemon (upload-relay always serves the relay), not ${mode}`);
  const enabled = mode === 'upload-relay' || (mode === 'daemon' && read.boolean('upload-relay'));
  if (!enabled) {
    for (const name of RELAY_OPTIONS) if (read.given(name)) read.fail(name, `applies only where the upload relay runs (upload-relay, or daemon --upload-relay), not ${mode}`);
  }
  const maxConcurrentRequests = read.integer('relay-max-concurrent-requests', 1);
  return {
    enabled,
    tip: readTip(read, network),
    txFreshnessMs: read.durationMs('tip-tx-freshness'),
    txMaxFutureMs: read.durationMs('tip-tx-max-future'),
    maxBodySize: read.kibOrSize('relay-max-body-size'),
    maxConcurrentRequests,
    maxBufferSize: maxConcurrentRequests + read.integer('relay-max-buffer-size', 0),
    bodyTimeouts,
  };
}

/** `--tip-const N`, or linear with `--tip-base` and/or `--tip-per-encoded-kib`, paid to `--tip-address`. */
function readTip(read: Reader, network: NetworkName): TipPolicy | null {
  const amount = (name: 'tip-const' | 'tip-base' | 'tip-per-encoded-kib'): bigint | undefined => {
    if (!read.given(name)) return undefined;
    const value = read.amount(name, network === 'local' ? 'FROST' : 'MIST');
    if (value > MAX_TIP) read.fail(name, `must be at most ${MAX_TIP}`);
    return value;
  };
  const constant = amount('tip-const');
  const base = amount('tip-base');
  const perEncodedKib = amount('tip-per-encoded-kib');
  const address = read.string('tip-address');
  if (constant !== undefined && (base !== undefined || perEncodedKib !== undefined)) read.fail('tip-const', 'cannot be combined with --tip-base or --tip-per-encoded-kib (a tip is constant or linear)');
  const anyAmount = constant !== undefined || base !== undefined || perEncodedKib !== undefined;
  if (address === undefined) {
    if (anyAmount) throw new ConfigError('a tip needs the address it is paid to: set --tip-address (or WALRUS_GATEWAY_TIP_ADDRESS)');
    return null;
  }
  if (!SUI_ADDRESS.test(address)) read.fail('tip-address', 'must be a Sui address (0x and up to 64 hex digits)');
  if (!anyAmount) read.fail('tip-address', 'needs a tip: --tip-const N, or --tip-base and/or --tip-per-encoded-kib');
  return {
    address: `0x${address.slice(2).toLowerCase().padStart(ADDRESS_HEX_DIGITS, '0')}`,
    kind: constant !== undefined ? { kind: 'const', amount: constant } : { kind: 'linear', base: base ?? 0n, perEncodedKib: perEncodedKib ?? 0n },
    // The local ledger has no SUI: tips on it are paid in WAL.
    coin: network === 'local' ? 'WAL' : 'SUI',
  };
}

/** The usage text of every option, for `--help`. */
export function optionsUsage(): string {
  return Object.entries(OPTIONS)
    .map(([name, spec]) => `  --${name}${spec.kind === 'string' ? ' VALUE' : ''}  (env ${spec.env}${'default' in spec ? `, default ${spec.default}` : ''})`)
    .join('\n');
}
