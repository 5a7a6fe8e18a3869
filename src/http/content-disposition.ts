/**
 * `Content-Disposition` (RFC 6266 §4) with the filename in both forms: a quoted ASCII fallback and
 * the RFC 8187 `filename*` for anything else. Set by `?filename=` and `?download=true`.
 */

const UNSAFE_FALLBACK = /[^\x20-\x7e]|["\\%]/g;
/** RFC 8187 §3.2.1 attr-char: what may appear unescaped in `filename*`. */
const ATTR_CHAR = /[A-Za-z0-9!#$&+\-.^_`|~]/;

function encodeRfc8187(value: string): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const char = String.fromCharCode(byte);
    out += byte < 0x80 && ATTR_CHAR.test(char) ? char : '%' + byte.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

/** Path separators and control characters never reach the client's file system. */
function sanitize(filename: string): string {
  return filename.replace(/[\\/]/g, '_').replace(/[\x00-\x1f\x7f]/g, '').trim();
}

/**
 * The header for a read: `attachment` when a download is asked for, else `inline`; with the
 * filename when given. `undefined` when the request asks for neither.
 */
export function contentDisposition(filename: string | undefined, download: boolean): string | undefined {
  const name = filename === undefined ? '' : sanitize(filename);
  if (name === '' && !download) return undefined;
  const type = download ? 'attachment' : 'inline';
  if (name === '') return type;
  const fallback = name.replace(UNSAFE_FALLBACK, '_');
  const needsExtended = fallback !== name;
  return `${type}; filename="${fallback}"${needsExtended ? `; filename*=UTF-8''${encodeRfc8187(name)}` : ''}`;
}
