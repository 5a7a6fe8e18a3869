/**
 * Blake2b-256 (RFC 7693, 32-byte digest, no key) in plain TypeScript, specialised for the codec:
 * it hashes `prefix ‖ message` straight from the caller's buffer with no per-hash allocation.
 * Millions of short Merkle-node hashes per blob make allocation, not arithmetic, the cost of the
 * general-purpose implementations. 64-bit words are kept as 32-bit low/high halves.
 */
const BLOCK_BYTES = 128;
const DIGEST_BYTES = 32;
/** Parameter block word 0 for a 32-byte digest, no key, fanout 1, depth 1. */
const PARAM_WORD = 0x01010000 | DIGEST_BYTES;

const IV_LO = new Uint32Array([
  0xf3bcc908, 0x84caa73b, 0xfe94f82b, 0x5f1d36f1, 0xade682d1, 0x2b3e6c1f, 0xfb41bd6b, 0x137e2179,
]);
const IV_HI = new Uint32Array([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
]);

// prettier-ignore
const SIGMA = new Uint8Array([
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
  14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3,
  11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4,
  7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8,
  9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13,
  2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9,
  12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11,
  13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10,
  6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5,
  10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0,
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
  14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3,
]);
const ROUNDS = 12;

/** A reusable hasher; not re-entrant, so each kernel owns one. */
export class PortableBlake2b256 {
  private readonly block = new Uint8Array(BLOCK_BYTES);
  private readonly blockWords = new Uint32Array(this.block.buffer);
  private readonly mLo = new Uint32Array(16);
  private readonly mHi = new Uint32Array(16);
  private readonly hLo = new Uint32Array(8);
  private readonly hHi = new Uint32Array(8);
  private readonly vLo = new Uint32Array(16);
  private readonly vHi = new Uint32Array(16);

  /** out[outAt, outAt+32) = Blake2b-256(prefix ‖ data[start, start+len)). */
  hash(prefix: number, data: Uint8Array, start: number, len: number, out: Uint8Array, outAt: number): void {
    this.hLo.set(IV_LO);
    this.hHi.set(IV_HI);
    this.hLo[0] ^= PARAM_WORD;

    const total = len + 1;
    const block = this.block;
    // Position in the virtual message `prefix ‖ data`; byte i > 0 is data[start + i - 1].
    let consumed = 0;
    while (true) {
      const take = Math.min(BLOCK_BYTES, total - consumed);
      const isLast = consumed + take === total;
      if (consumed === 0) {
        block[0] = prefix;
        block.set(data.subarray(start, start + take - 1), 1);
      } else {
        block.set(data.subarray(start + consumed - 1, start + consumed - 1 + take), 0);
      }
      if (take < BLOCK_BYTES) block.fill(0, take);
      consumed += take;
      this.compress(consumed, isLast);
      if (isLast) break;
    }

    for (let i = 0; i < DIGEST_BYTES / 8; i++) {
      writeU32(out, outAt + 8 * i, this.hLo[i]);
      writeU32(out, outAt + 8 * i + 4, this.hHi[i]);
    }
  }

  private compress(counter: number, isLast: boolean): void {
    const { mLo, mHi, vLo, vHi, hLo, hHi, blockWords } = this;
    for (let i = 0; i < 16; i++) {
      mLo[i] = blockWords[2 * i];
      mHi[i] = blockWords[2 * i + 1];
    }
    for (let i = 0; i < 8; i++) {
      vLo[i] = hLo[i];
      vHi[i] = hHi[i];
      vLo[i + 8] = IV_LO[i];
      vHi[i + 8] = IV_HI[i];
    }
    vLo[12] ^= counter >>> 0;
    vHi[12] ^= Math.floor(counter / 0x100000000);
    if (isLast) {
      vLo[14] = ~vLo[14];
      vHi[14] = ~vHi[14];
    }
    for (let round = 0; round < ROUNDS; round++) {
      const s = round * 16;
      this.mix(0, 4, 8, 12, SIGMA[s], SIGMA[s + 1]);
      this.mix(1, 5, 9, 13, SIGMA[s + 2], SIGMA[s + 3]);
      this.mix(2, 6, 10, 14, SIGMA[s + 4], SIGMA[s + 5]);
      this.mix(3, 7, 11, 15, SIGMA[s + 6], SIGMA[s + 7]);
      this.mix(0, 5, 10, 15, SIGMA[s + 8], SIGMA[s + 9]);
      this.mix(1, 6, 11, 12, SIGMA[s + 10], SIGMA[s + 11]);
      this.mix(2, 7, 8, 13, SIGMA[s + 12], SIGMA[s + 13]);
      this.mix(3, 4, 9, 14, SIGMA[s + 14], SIGMA[s + 15]);
    }
    for (let i = 0; i < 8; i++) {
      hLo[i] ^= vLo[i] ^ vLo[i + 8];
      hHi[i] ^= vHi[i] ^ vHi[i + 8];
    }
  }

  /** The G function on v[a], v[b], v[c], v[d] with message words x and y. */
  private mix(a: number, b: number, c: number, d: number, x: number, y: number): void {
    const { vLo, vHi, mLo, mHi } = this;
    let aLo = vLo[a], aHi = vHi[a], bLo = vLo[b], bHi = vHi[b];
    let cLo = vLo[c], cHi = vHi[c], dLo = vLo[d], dHi = vHi[d];
    let t: number;

    // a = a + b + m[x]
    t = aLo + bLo;
    aHi = (aHi + bHi + (t > 0xffffffff ? 1 : 0)) >>> 0;
    aLo = t >>> 0;
    t = aLo + mLo[x];
    aHi = (aHi + mHi[x] + (t > 0xffffffff ? 1 : 0)) >>> 0;
    aLo = t >>> 0;
    // d = rotr64(d ^ a, 32)
    t = dLo ^ aLo;
    dLo = (dHi ^ aHi) >>> 0;
    dHi = t >>> 0;
    // c = c + d
    t = cLo + dLo;
    cHi = (cHi + dHi + (t > 0xffffffff ? 1 : 0)) >>> 0;
    cLo = t >>> 0;
    // b = rotr64(b ^ c, 24)
    bLo ^= cLo;
    bHi ^= cHi;
    t = ((bLo >>> 24) | (bHi << 8)) >>> 0;
    bHi = ((bHi >>> 24) | (bLo << 8)) >>> 0;
    bLo = t;
    // a = a + b + m[y]
    t = aLo + bLo;
    aHi = (aHi + bHi + (t > 0xffffffff ? 1 : 0)) >>> 0;
    aLo = t >>> 0;
    t = aLo + mLo[y];
    aHi = (aHi + mHi[y] + (t > 0xffffffff ? 1 : 0)) >>> 0;
    aLo = t >>> 0;
    // d = rotr64(d ^ a, 16)
    dLo ^= aLo;
    dHi ^= aHi;
    t = ((dLo >>> 16) | (dHi << 16)) >>> 0;
    dHi = ((dHi >>> 16) | (dLo << 16)) >>> 0;
    dLo = t;
    // c = c + d
    t = cLo + dLo;
    cHi = (cHi + dHi + (t > 0xffffffff ? 1 : 0)) >>> 0;
    cLo = t >>> 0;
    // b = rotr64(b ^ c, 63) = rotl64(b ^ c, 1)
    bLo ^= cLo;
    bHi ^= cHi;
    t = ((bLo << 1) | (bHi >>> 31)) >>> 0;
    bHi = ((bHi << 1) | (bLo >>> 31)) >>> 0;
    bLo = t;

    vLo[a] = aLo; vHi[a] = aHi; vLo[b] = bLo; vHi[b] = bHi;
    vLo[c] = cLo; vHi[c] = cHi; vLo[d] = dLo; vHi[d] = dHi;
  }
}

function writeU32(out: Uint8Array, at: number, value: number): void {
  out[at] = value;
  out[at + 1] = value >>> 8;
  out[at + 2] = value >>> 16;
  out[at + 3] = value >>> 24;
}
