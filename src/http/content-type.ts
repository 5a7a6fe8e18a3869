/**
 * Content-Type of a read (RFC 9110 §8.3; sniffing after the WHATWG MIME Sniffing standard §7).
 * Only trusted sources decide it: the blob's `content-type` attribute (written by the blob's owner
 * on chain), else magic bytes for common media, PDF, JSON and text, else `application/octet-stream`.
 * The reference sends no Content-Type at all by default, so browsers download images instead of
 * showing them (#2895).
 */
export const OCTET_STREAM = 'application/octet-stream';
/** Bytes looked at for sniffing, as the MIME Sniffing standard's resource header. */
export const SNIFF_BYTES = 1445;

interface Signature {
  readonly type: string;
  readonly bytes: readonly (number | null)[];
  readonly offset?: number;
}

const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0));
const SIGNATURES: readonly Signature[] = [
  { type: 'image/png', bytes: [0x89, ...ascii('PNG'), 0x0d, 0x0a, 0x1a, 0x0a] },
  { type: 'image/jpeg', bytes: [0xff, 0xd8, 0xff] },
  { type: 'image/gif', bytes: ascii('GIF87a') },
  { type: 'image/gif', bytes: ascii('GIF89a') },
  { type: 'image/webp', bytes: [...ascii('RIFF'), null, null, null, null, ...ascii('WEBPVP')] },
  { type: 'image/bmp', bytes: ascii('BM') },
  { type: 'image/x-icon', bytes: [0x00, 0x00, 0x01, 0x00] },
  { type: 'image/avif', bytes: ascii('ftypavif'), offset: 4 },
  { type: 'audio/wave', bytes: [...ascii('RIFF'), null, null, null, null, ...ascii('WAVE')] },
  { type: 'audio/mpeg', bytes: ascii('ID3') },
  { type: 'audio/ogg', bytes: ascii('OggS') },
  { type: 'audio/flac', bytes: ascii('fLaC') },
  { type: 'audio/midi', bytes: ascii('MThd') },
  { type: 'video/webm', bytes: [0x1a, 0x45, 0xdf, 0xa3] },
  { type: 'video/mp4', bytes: ascii('ftyp'), offset: 4 },
  { type: 'application/pdf', bytes: ascii('%PDF-') },
  { type: 'application/zip', bytes: [0x50, 0x4b, 0x03, 0x04] },
  { type: 'application/gzip', bytes: [0x1f, 0x8b, 0x08] },
  { type: 'font/woff2', bytes: ascii('wOF2') },
  { type: 'font/woff', bytes: ascii('wOFF') },
];

function matches(bytes: Uint8Array, { bytes: pattern, offset = 0 }: Signature): boolean {
  if (bytes.length < offset + pattern.length) return false;
  return pattern.every((b, i) => b === null || bytes[offset + i] === b);
}

/** Control bytes that never occur in text (MIME Sniffing §7.1 "binary data byte"). */
function isBinaryByte(b: number): boolean {
  return b <= 0x08 || b === 0x0b || (b >= 0x0e && b <= 0x1a) || (b >= 0x1c && b <= 0x1f);
}

function looksLikeUtf8Text(head: Uint8Array): boolean {
  if (head.some(isBinaryByte)) return false;
  // A multi-byte character cut at the end of the sample is fine; anything else must be UTF-8.
  for (let cut = 0; cut < 4 && cut < head.length; cut++) {
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(head.subarray(0, head.length - cut));
      return true;
    } catch (error) {
      if (!(error instanceof TypeError)) throw error;
    }
  }
  return false;
}

function looksLikeJson(text: string, complete: boolean): boolean {
  const trimmed = text.trim();
  if (!/^[{[]/.test(trimmed)) return false;
  if (!complete) return true;
  try {
    JSON.parse(trimmed);
    return true;
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    return false;
  }
}

/**
 * Sniffs a type from the blob's first bytes. HTML, SVG and XML are deliberately not sniffed: text
 * that looks like markup is served as text/plain, so a blob can only become a document when its
 * writer or the requester says so. `complete` says whether `head` is the whole blob.
 */
export function sniffContentType(head: Uint8Array, complete: boolean): string {
  if (head.length === 0) return OCTET_STREAM;
  const sample = head.subarray(0, SNIFF_BYTES);
  for (const signature of SIGNATURES) if (matches(sample, signature)) return signature.type;
  if (!looksLikeUtf8Text(sample)) return OCTET_STREAM;
  const text = Buffer.from(sample.buffer, sample.byteOffset, sample.byteLength).toString('utf8');
  if (looksLikeJson(text, complete && head.length <= SNIFF_BYTES)) return 'application/json';
  return 'text/plain; charset=utf-8';
}

/** `type/subtype` with optional parameters, tokens as RFC 9110 §5.6.2; nothing else is sent. */
const MEDIA_TYPE = /^[!#$%&'*+.^_`|~0-9a-z-]+\/[!#$%&'*+.^_`|~0-9a-z-]+(\s*;\s*[!#$%&'*+.^_`|~0-9a-z-]+=("[^"\\\x00-\x1f\x7f]*"|[!#$%&'*+.^_`|~0-9a-z-]+))*$/i;

/**
 * The blob's declared type, from its `content-type` attribute when that is a well-formed media
 * type; `undefined` when the type must be sniffed. Unlike the reference, the request's `Accept` and
 * `Content-Type` are never copied: a cached response must not take a type the requester chose
 * (`Accept: text/html` on any blob would be stored by shared caches for every reader).
 */
export function declaredContentType(attributeContentType: string | undefined): string | undefined {
  const type = attributeContentType?.trim();
  return type && MEDIA_TYPE.test(type) ? type : undefined;
}

/** Bare media types (no parameters) a browser shows without running anything from the blob. */
const INERT_TYPES: ReadonlySet<string> = new Set([
  OCTET_STREAM,
  'text/plain',
  'application/json',
  // Browsers show PDF in an isolated viewer with no access to the origin; a sandbox stops Chrome showing it.
  'application/pdf',
  'application/zip',
  'application/gzip',
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'image/bmp',
  'image/x-icon',
  'image/vnd.microsoft.icon',
  'image/avif',
  'font/woff',
  'font/woff2',
]);
/** Media players run no script; everything under these tops is inert. */
const INERT_TOP_LEVEL_TYPES = ['audio/', 'video/'];

/**
 * Whether a type needs the sandbox: everything not known to be inert — HTML, SVG, XSL, any XML
 * (`application/xml-dtd`, `text/xml-external-parsed-entity`, `+xml`), JavaScript, and any type we
 * do not know, since a browser may render it as a document.
 */
export function isScriptCapable(contentType: string): boolean {
  const essence = contentType.split(';')[0].trim().toLowerCase();
  if (INERT_TYPES.has(essence)) return false;
  return !INERT_TOP_LEVEL_TYPES.some((top) => essence.startsWith(top) && essence.length > top.length);
}

/** Served with every type that is not inert so a blob cannot run script on the gateway's origin. */
export const SANDBOX_CSP = 'sandbox';
