/**
 * The web console's files (`src/console/static/`: plain ES modules, CSS, an SVG icon and the page),
 * read once when the app is built and kept in memory with their strong ETags. The same relative
 * path works from `src/` under tsx and from `dist/` after `npm run build`, which copies the folder
 * (`scripts/copy-console-assets.mjs`): no compile step, so both paths serve the same bytes.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { extname } from 'node:path';

export const CONSOLE_STATIC_DIR = new URL('./static/', import.meta.url);
const PAGE_TEMPLATE = 'index.html';
/** Served types by extension; anything else in the folder (its tsconfig.json) is not served. */
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};
const HTML_TYPE = 'text/html; charset=utf-8';
/** 128 bits of SHA-256: collisions between versions of one small file are not a concern. */
const ETAG_BYTES = 16;

export interface ConsoleAsset {
  readonly body: Buffer;
  readonly contentType: string;
  /** Strong validator (RFC 9110 §8.8.3): a digest of the bytes, quoted. */
  readonly etag: string;
}

/** What the page offers: the store half needs a publisher, the read half the aggregator routes. */
export interface ConsoleFeatures {
  readonly upload: boolean;
  readonly lookup: boolean;
  /** `--max-body-size` in bytes, so the page can refuse a too-large file before sending it. */
  readonly maxBodySize: number | undefined;
}

export interface ConsoleAssets {
  readonly page: ConsoleAsset;
  /** Files under `/console/{name}`, by name. */
  readonly files: ReadonlyMap<string, ConsoleAsset>;
}

function asset(body: Buffer, contentType: string): ConsoleAsset {
  const digest = createHash('sha256').update(body).digest().subarray(0, ETAG_BYTES).toString('base64url');
  return { body, contentType, etag: `"${digest}"` };
}

function tagline({ upload, lookup }: ConsoleFeatures): string {
  if (upload && lookup) return 'Store files on Walrus and read them back, through this gateway.';
  if (upload) return 'Store files on Walrus through this publisher.';
  if (lookup) return 'Read blobs stored on Walrus through this aggregator.';
  return 'This gateway serves neither reads nor writes.';
}

/**
 * The page with the halves this app cannot serve cut out (between `<!--name-->` and `<!--/name-->`
 * markers) and the features written into `<body>` data attributes for the scripts.
 */
export function renderPage(template: string, features: ConsoleFeatures): string {
  let page = template;
  for (const [name, on] of [['upload', features.upload], ['lookup', features.lookup]] as const) {
    const block = new RegExp(`<!--${name}-->[\\s\\S]*?<!--/${name}-->\\n?`, 'g');
    page = on ? page.replace(new RegExp(`<!--/?${name}-->\\n?`, 'g'), '') : page.replace(block, '');
  }
  return page
    .replaceAll('{{TAGLINE}}', tagline(features))
    .replaceAll('{{UPLOAD}}', String(features.upload))
    .replaceAll('{{LOOKUP}}', String(features.lookup))
    .replaceAll('{{MAX_BODY_SIZE}}', features.maxBodySize === undefined ? '' : String(features.maxBodySize));
}

export function loadConsoleAssets(features: ConsoleFeatures, dir: URL = CONSOLE_STATIC_DIR): ConsoleAssets {
  const files = new Map<string, ConsoleAsset>();
  for (const name of readdirSync(dir)) {
    const type = CONTENT_TYPES[extname(name)];
    if (type !== undefined) files.set(name, asset(readFileSync(new URL(name, dir)), type));
  }
  const template = readFileSync(new URL(PAGE_TEMPLATE, dir), 'utf8');
  return { page: asset(Buffer.from(renderPage(template, features)), HTML_TYPE), files };
}
