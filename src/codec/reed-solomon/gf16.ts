/**
 * GF(2^16) as reed-solomon-simd 3.1 (Leopard-RS) defines it: polynomial 0x1002D, elements in a
 * Cantor basis, multiplication through log/exp tables. Only a field identical to the one Walrus
 * uses yields identical recovery symbols, and so identical blob IDs.
 */
export const GF_BITS = 16;
export const GF_ORDER = 1 << GF_BITS;
export const GF_MODULUS = GF_ORDER - 1;
const GF_POLYNOMIAL = 0x1002d;
const CANTOR_BASIS = [
  0x0001, 0xacca, 0x3c0e, 0x163e, 0xc582, 0xed2e, 0x914c, 0x4012, 0x6c98, 0x10d8, 0x6a72, 0xb900, 0xfdb8, 0xfb34,
  0xff38, 0x991e,
];

/** (a + b) mod 65535, with 65535 standing for 0 as Leopard's log arithmetic does. */
export function addMod(a: number, b: number): number {
  const sum = a + b;
  return (sum + (sum >>> GF_BITS)) & GF_MODULUS;
}

/** (a - b) mod 65535 in the same representation. */
export function subMod(a: number, b: number): number {
  const dif = (a - b) >>> 0;
  return (dif + (dif >>> GF_BITS)) & GF_MODULUS;
}

export interface Gf16Tables {
  readonly exp: Uint16Array;
  readonly log: Uint16Array;
  /** Twiddle factors (as logs) of the additive FFT. */
  readonly skew: Uint16Array;
  /** FWHT of the log table, used to evaluate the erasure locator polynomial. */
  readonly logWalsh: Uint16Array;
}

/** x · exp(logM) in GF(2^16). */
export function gfMul(tables: Gf16Tables, x: number, logM: number): number {
  return x === 0 ? 0 : tables.exp[addMod(tables.log[x], logM)];
}

let cached: Gf16Tables | undefined;

export function gf16Tables(): Gf16Tables {
  cached ??= buildTables();
  return cached;
}

function buildTables(): Gf16Tables {
  const exp = new Uint16Array(GF_ORDER);
  const log = new Uint16Array(GF_ORDER);

  let state = 1;
  for (let i = 0; i < GF_MODULUS; i++) {
    exp[state] = i;
    state <<= 1;
    if (state >= GF_ORDER) state ^= GF_POLYNOMIAL;
  }
  exp[0] = GF_MODULUS;

  log[0] = 0;
  for (let i = 0; i < GF_BITS; i++) {
    const width = 1 << i;
    for (let j = 0; j < width; j++) log[j + width] = log[j] ^ CANTOR_BASIS[i];
  }
  for (let i = 0; i < GF_ORDER; i++) log[i] = exp[log[i]];
  for (let i = 0; i < GF_ORDER; i++) exp[log[i]] = i;
  exp[GF_MODULUS] = exp[0];

  const partial: Gf16Tables = { exp, log, skew: new Uint16Array(0), logWalsh: new Uint16Array(0) };
  const skew = buildSkew(partial);
  const logWalsh = Uint16Array.from(log);
  logWalsh[0] = 0;
  fwht(logWalsh, GF_ORDER);
  return { exp, log, skew, logWalsh };
}

function buildSkew(tables: Gf16Tables): Uint16Array {
  const { log } = tables;
  const skew = new Uint16Array(GF_MODULUS);
  const temp = new Uint16Array(GF_BITS - 1);
  for (let i = 1; i < GF_BITS; i++) temp[i - 1] = 1 << i;

  for (let m = 0; m < GF_BITS - 1; m++) {
    const step = 1 << (m + 1);
    skew[(1 << m) - 1] = 0;
    for (let i = m; i < GF_BITS - 1; i++) {
      const s = 1 << (i + 1);
      for (let j = (1 << m) - 1; j < s; j += step) skew[j + s] = skew[j] ^ temp[i];
    }
    temp[m] = GF_MODULUS - log[gfMul(tables, temp[m], log[temp[m] ^ 1])];
    for (let i = m + 1; i < GF_BITS - 1; i++) {
      const sum = addMod(log[temp[i] ^ 1], temp[m]);
      temp[i] = gfMul(tables, temp[i], sum);
    }
  }
  for (let i = 0; i < GF_MODULUS; i++) skew[i] = log[skew[i]];
  return skew;
}

/** In-place fast Walsh–Hadamard transform over the first `truncated` entries, mod 65535. */
export function fwht(data: Uint16Array, truncated: number): void {
  for (let dist = 1; dist < GF_ORDER; dist <<= 1) {
    const dist2 = dist << 1;
    for (let r = 0; r < truncated; r += dist2) {
      for (let i = r; i < r + dist; i++) {
        const a = data[i];
        const b = data[i + dist];
        data[i] = addMod(a, b);
        data[i + dist] = subMod(a, b);
      }
    }
  }
}

/** Evaluates the erasure-locator polynomial in the log domain (Leopard's `eval_poly`). */
export function evalErasureLocator(tables: Gf16Tables, erasures: Uint16Array, truncated: number): void {
  fwht(erasures, truncated);
  const { logWalsh } = tables;
  for (let i = 0; i < GF_ORDER; i++) {
    const product = erasures[i] * logWalsh[i];
    erasures[i] = addMod(product & GF_MODULUS, product >>> GF_BITS);
  }
  fwht(erasures, GF_ORDER);
}
