/**
 * Seeded picks for the soak's requests (drawn from `seededRandom` in `test/fixtures/random.ts`),
 * so that a run's inputs reproduce from SOAK_SEED.
 */

export type Rng = () => number;

export const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)];
/** A blob ID of the right shape (32 bytes, base64url) that no blob has. */
export const randomId = (rng: Rng) => Buffer.from(Array.from({ length: 32 }, () => Math.floor(rng() * 256))).toString('base64url');
export const randomHex = (rng: Rng, digits: number) => Array.from({ length: digits }, () => Math.floor(rng() * 16).toString(16)).join('');
/** Random bytes from the caller's stream (`randomBytes` in the fixtures starts a stream of its own). */
export const junk = (rng: Rng, length: number) => Buffer.from(Array.from({ length }, () => Math.floor(rng() * 256)));
