// @ts-check
/**
 * Pure helpers of the web console: IDs, sizes, WAL amounts, and the gateway's JSON error body
 * (`{"error":{"code","status","message","details":[{"reason"}]}}`, docs/http-api.md §1.7) decoded
 * into something a person can read.
 */

/** 1 WAL = 10⁹ FROST, the unit of every amount the publisher reports. */
export const FROST_PER_WAL = 1_000_000_000n;
const WAL_DECIMALS = 9;
/** A blob ID is 32 bytes; a quilt patch ID adds the quilt's 5 internal patch bytes. */
const BLOB_ID_BYTES = 32;
const BLOB_ID = /^[A-Za-z0-9_-]{43}$/;
const QUILT_PATCH_ID = /^[A-Za-z0-9_-]{50}$/;
const OBJECT_ID = /^0x[0-9a-fA-F]{1,64}$/;
const BYTE_UNITS = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
const KIB = 1024;

/**
 * @typedef {{ kind: 'blob' | 'object' | 'quilt-patch', id: string } | { kind: 'invalid', reason: string }} ParsedId
 */

/**
 * What a pasted ID names, by its shape alone.
 * @param {string} text
 * @returns {ParsedId}
 */
export function parseId(text) {
  const id = text.trim();
  if (id === '') return { kind: 'invalid', reason: 'Paste a blob ID, an object ID (0x…) or a quilt patch ID.' };
  if (OBJECT_ID.test(id)) return { kind: 'object', id };
  if (BLOB_ID.test(id)) return { kind: 'blob', id };
  if (QUILT_PATCH_ID.test(id)) return { kind: 'quilt-patch', id };
  if (/^0x/i.test(id)) return { kind: 'invalid', reason: 'An object ID is 0x followed by up to 64 hexadecimal digits.' };
  return {
    kind: 'invalid',
    reason: `“${id.length > 60 ? id.slice(0, 60) + '…' : id}” is not an ID: a blob ID has 43 characters (A–Z, a–z, 0–9, - and _), a quilt patch ID 50, an object ID starts with 0x.`,
  };
}

/**
 * The quilt's own blob ID inside a quilt patch ID (its first 32 bytes).
 * @param {string} patchId unpadded base64url
 * @returns {string}
 */
export function quiltIdOfPatch(patchId) {
  const binary = atob(patchId.replace(/-/g, '+').replace(/_/g, '/') + '==');
  return btoa(binary.slice(0, BLOB_ID_BYTES)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * `1.5 MiB` (bytes below 1 KiB as such).
 * @param {number} bytes
 * @returns {string}
 */
export function formatBytes(bytes) {
  let value = bytes;
  let unit = 0;
  while (value >= KIB && unit < BYTE_UNITS.length - 1) {
    value /= KIB;
    unit += 1;
  }
  if (unit === 0) return `${bytes} ${bytes === 1 ? 'byte' : 'bytes'}`;
  return `${value.toFixed(value < 10 ? 2 : 1)} ${BYTE_UNITS[unit]}`;
}

/**
 * `1.5 MiB (1,572,864 bytes)`, or just the bytes when that is all there is.
 * @param {number} bytes
 * @returns {string}
 */
export function formatSize(bytes) {
  const short = formatBytes(bytes);
  return bytes < KIB ? short : `${short} (${bytes.toLocaleString('en-US')} bytes)`;
}

/**
 * An amount of FROST in WAL, exactly (no floating point): `0.000013 WAL`.
 * @param {number | string | bigint} frost
 * @returns {string}
 */
export function formatWal(frost) {
  const amount = BigInt(frost);
  const whole = amount / FROST_PER_WAL;
  const fraction = (amount % FROST_PER_WAL).toString().padStart(WAL_DECIMALS, '0').replace(/0+$/, '');
  return `${whole.toLocaleString('en-US')}${fraction ? '.' + fraction : ''} WAL`;
}

/**
 * @typedef {object} Problem
 * @property {number} status the HTTP status; 0 when no answer came
 * @property {string} message what went wrong, for a person
 * @property {string} [reason] the gateway's stable reason code (`BLOB_NOT_FOUND`, …)
 * @property {number} [retryAfter] seconds, from `Retry-After`
 */

/**
 * @param {unknown} value
 * @returns {value is Record<string, unknown>}
 */
function isRecord(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The gateway's error answer, decoded; a body that is not the JSON error (a proxy's HTML page,
 * plain text) still yields its status and a short excerpt.
 * @param {number} status
 * @param {string} body
 * @param {string | null} [retryAfter] the `Retry-After` header
 * @returns {Problem}
 */
export function problemFromResponse(status, body, retryAfter) {
  /** @type {Problem} */
  const problem = { status, message: `The gateway answered HTTP ${status}.` };
  const seconds = Number(retryAfter);
  if (retryAfter && Number.isFinite(seconds)) problem.retryAfter = seconds;
  let parsed;
  try {
    parsed = JSON.parse(body);
  } catch {
    // Not JSON: keep a line of the text, if it reads as text.
    const text = body.trim();
    if (text && !text.startsWith('<')) problem.message = text.length > 300 ? text.slice(0, 300) + '…' : text;
    return problem;
  }
  const error = isRecord(parsed) ? parsed.error : undefined;
  if (!isRecord(error)) return problem;
  if (typeof error.message === 'string' && error.message) problem.message = error.message;
  const details = Array.isArray(error.details) ? error.details : [];
  const reason = details.map((detail) => (isRecord(detail) ? detail.reason : undefined)).find((r) => typeof r === 'string');
  if (typeof reason === 'string') problem.reason = reason;
  else if (typeof error.status === 'string') problem.reason = error.status;
  return problem;
}

/**
 * A problem for a request that got no answer at all.
 * @param {string} what what was being done (“The upload”)
 * @returns {Problem}
 */
export function networkProblem(what) {
  return { status: 0, message: `${what} could not reach the gateway. Check that it is running and try again.` };
}

/**
 * One sentence that helps with a problem beyond the gateway's message, when there is one.
 * @param {Problem} problem
 * @returns {string | undefined}
 */
export function adviceFor(problem) {
  if (problem.status === 429 || problem.status === 503) {
    return problem.retryAfter ? `The gateway is busy: try again in ${problem.retryAfter} s.` : 'The gateway is busy: try again shortly.';
  }
  if (problem.status === 401) return 'This gateway requires a token (JWT) to store files; the console cannot send one.';
  if (problem.status === 413) return 'The file is larger than this gateway accepts.';
  if (problem.reason === 'BLOB_NOT_FOUND') return 'Check the ID: the blob may never have been stored, or it has expired or been deleted.';
  if (problem.reason === 'QUILT_PATCH_NOT_FOUND') return 'The quilt exists but holds no such file: look up the quilt’s own blob ID to list its files.';
  if (problem.reason === 'NOT_A_QUILT') return 'This blob is not a quilt, so it has no patches: look it up by its blob ID instead.';
  return undefined;
}
