/**
 * Optional JWT auth for the publisher, as the reference's `daemon/auth.rs` (docs/http-api.md §2.5):
 * `Authorization: Bearer <jwt>` with required `exp` and `jti`; optional `iat`, `send_object_to`,
 * `epochs`/`max_epochs`, `size`/`max_size`; a replay cache of `jti` until `exp`; the reference's
 * reasons. Differences on purpose: an expired token is 401 (not 504) and nothing malformed is a 500.
 */
import { createPublicKey, createSecretKey, type KeyObject } from 'node:crypto';
import { decodeJwt, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import { GatewayError } from '../errors/gateway-errors.ts';
import { AuthError } from './publisher-errors.ts';
import type { JwtAlgorithm, JwtAuthConfig } from './jwt-config.ts';

const MS_PER_SECOND = 1000;
/** `Retry-After` is never 0: that would invite an immediate retry. */
const MIN_RETRY_AFTER_SECONDS = 1;

/** What the request asks for, to check against the token's claims. */
export interface UploadRequestFacts {
  readonly contentLength: number | undefined;
  readonly epochs: number | 'max';
  readonly sendObjectTo: string | null;
}

export interface VerifiedToken {
  readonly jti: string;
  readonly size?: number;
  readonly maxSize?: number;
}

/** Auth is on when any of secret, expiring-sec > 0 or verify-upload is set (as the reference). */
export function jwtAuthEnabled(config: JwtAuthConfig): boolean {
  return config.decodeSecret !== undefined || config.expiringSec > 0 || config.verifyUpload;
}

class TokenCacheFullError extends GatewayError {
  constructor() {
    super({ reason: 'TOKEN_CACHE_FULL', status: 'UNAVAILABLE', retryAfter: 1 }, 'too many unexpired tokens are in use; try again later');
  }
}

export class JwtAuthenticator {
  private readonly key: KeyObject | undefined;
  /** jti → exp (seconds). */
  private readonly used = new Map<string, number>();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly config: JwtAuthConfig) {
    this.key = config.decodeSecret === undefined ? undefined : decodingKey(config.decodeSecret, config.algorithm);
    this.timer = setInterval(() => this.evictExpired(), config.cacheRefreshMs);
    this.timer.unref();
  }

  /** Checks the header and the claims; the jti is then spent. */
  async authenticate(authorization: string | undefined, facts: UploadRequestFacts): Promise<VerifiedToken> {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!match) throw new AuthError('MISSING_TOKEN', 'the request needs an Authorization: Bearer <JWT> header');
    const payload = await this.decode(match[1]);
    const claims = readClaims(payload);
    if (this.config.expiringSec > 0) {
      if (claims.iat === undefined) throw new AuthError('INVALID_TIMESTAMP', 'the token has no iat claim, which this publisher requires');
      if (claims.exp - claims.iat !== this.config.expiringSec) throw new AuthError('INVALID_EXPIRATION', `the token must expire exactly ${this.config.expiringSec} s after it was issued`);
    }
    const spentUntil = this.used.get(claims.jti);
    if (spentUntil !== undefined) throw tokenAlreadyUsed(spentUntil);
    if (this.used.size >= this.config.cacheSize) {
      this.evictExpired();
      if (this.used.size >= this.config.cacheSize) throw new TokenCacheFullError();
    }
    this.used.set(claims.jti, claims.exp);
    try {
      if (this.config.verifyUpload) verifyUpload(claims, facts);
    } catch (error) {
      this.used.delete(claims.jti);
      throw error;
    }
    return { jti: claims.jti, size: claims.size, maxSize: claims.maxSize };
  }

  /** The real body length, checked in the handler whether or not `verify-upload` is on (as the reference). */
  checkBodySize(token: VerifiedToken, length: number): void {
    if ((token.size !== undefined && length !== token.size) || (token.maxSize !== undefined && length > token.maxSize)) {
      this.used.delete(token.jti);
      throw new AuthError('INVALID_SIZE', `the body is ${length} bytes, which the token does not allow`);
    }
  }

  close(): void {
    clearInterval(this.timer);
  }

  private evictExpired(): void {
    const now = Date.now() / 1000;
    for (const [jti, exp] of this.used) if (exp <= now) this.used.delete(jti);
  }

  private async decode(token: string): Promise<JWTPayload> {
    try {
      if (this.key) return (await jwtVerify(token, this.key, { algorithms: [this.config.algorithm] })).payload;
      // No secret: an API gateway in front has checked the signature; only the claims count here.
      const payload = decodeJwt(token);
      if (typeof payload.exp === 'number' && payload.exp <= Date.now() / 1000) throw new joseErrors.JWTExpired('"exp" claim timestamp check failed', payload);
      return payload;
    } catch (error) {
      throw authErrorFromJose(error);
    }
  }
}

/**
 * 429 as the reference, but with `Retry-After`: the seconds until the token expires. A replayed
 * token can never succeed, and a client that loops on 429 without the header would retry forever;
 * one that honours it waits out the token's life and then gets a final 401 EXPIRED_SIGNATURE.
 */
function tokenAlreadyUsed(exp: number): AuthError {
  const secondsLeft = Math.max(MIN_RETRY_AFTER_SECONDS, Math.ceil(exp - Date.now() / MS_PER_SECOND));
  return new AuthError('TOKEN_ALREADY_USED', 'the token has already been used; send a new token', secondsLeft);
}

interface Claims {
  readonly exp: number;
  readonly jti: string;
  readonly iat?: number;
  readonly sendObjectTo?: string;
  readonly epochs?: number;
  readonly maxEpochs?: number;
  readonly size?: number;
  readonly maxSize?: number;
}

function optionalInteger(payload: JWTPayload, name: string): number | undefined {
  const value = payload[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw new AuthError('INVALID_TOKEN', `the token's ${name} claim must be a non-negative integer`);
  return value;
}

function readClaims(payload: JWTPayload): Claims {
  if (typeof payload.exp !== 'number' || !Number.isFinite(payload.exp)) throw new AuthError('INVALID_TOKEN', 'the token has no numeric exp claim');
  if (typeof payload.jti !== 'string' || payload.jti === '') throw new AuthError('INVALID_TOKEN', 'the token has no jti claim');
  const sendObjectTo = payload.send_object_to;
  if (sendObjectTo !== undefined && typeof sendObjectTo !== 'string') throw new AuthError('INVALID_TOKEN', 'the token send_object_to claim must be a string');
  const claims: Claims = {
    exp: payload.exp,
    jti: payload.jti,
    iat: optionalInteger(payload, 'iat'),
    sendObjectTo,
    epochs: optionalInteger(payload, 'epochs'),
    maxEpochs: optionalInteger(payload, 'max_epochs'),
    size: optionalInteger(payload, 'size'),
    maxSize: optionalInteger(payload, 'max_size'),
  };
  if (claims.epochs !== undefined && claims.maxEpochs !== undefined) throw new AuthError('INCONSISTENT_TOKEN', 'the token sets both epochs and max_epochs');
  if (claims.size !== undefined && claims.maxSize !== undefined) throw new AuthError('INCONSISTENT_TOKEN', 'the token sets both size and max_size');
  return claims;
}

function verifyUpload(claims: Claims, facts: UploadRequestFacts): void {
  const length = facts.contentLength;
  if (claims.size !== undefined && length !== undefined && length !== claims.size) throw new AuthError('INVALID_SIZE', `the token allows exactly ${claims.size} bytes`);
  if (claims.maxSize !== undefined && length !== undefined && length > claims.maxSize) throw new AuthError('INVALID_SIZE', `the token allows at most ${claims.maxSize} bytes`);
  if (claims.epochs !== undefined && facts.epochs !== claims.epochs) throw new AuthError('INVALID_EPOCHS', `the token allows exactly ${claims.epochs} epochs`);
  if (claims.maxEpochs !== undefined && (facts.epochs === 'max' || facts.epochs > claims.maxEpochs)) throw new AuthError('INVALID_EPOCHS', `the token allows at most ${claims.maxEpochs} epochs`);
  if (claims.sendObjectTo !== undefined && claims.sendObjectTo.toLowerCase() !== facts.sendObjectTo?.toLowerCase()) {
    throw new AuthError('INVALID_SEND_OBJECT_TO', 'send_object_to must be the address the token names');
  }
}

function authErrorFromJose(error: unknown): unknown {
  if (error instanceof AuthError) return error;
  if (error instanceof joseErrors.JWTExpired) return new AuthError('EXPIRED_SIGNATURE', 'the token has expired');
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return new AuthError('INVALID_SIGNATURE', 'the token signature is invalid');
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return new AuthError('INVALID_SIGNATURE', 'the token is signed with an algorithm this publisher does not accept');
  if (error instanceof joseErrors.JOSEError || error instanceof TypeError || error instanceof SyntaxError) return new AuthError('INVALID_TOKEN', 'the token is malformed');
  return error;
}

/** The reference's key rules: `0x` hex or raw text; asymmetric keys as DER (we also take PEM). */
export function decodingKey(secret: string, algorithm: JwtAlgorithm): KeyObject {
  const bytes = /^0x([0-9a-f]{2})*$/i.test(secret) ? Buffer.from(secret.slice(2), 'hex') : Buffer.from(secret, 'utf8');
  if (algorithm.startsWith('HS')) return createSecretKey(bytes);
  if (secret.includes('-----BEGIN')) return createPublicKey(secret);
  try {
    return createPublicKey({ key: bytes, format: 'der', type: 'spki' });
  } catch (error) {
    if (!algorithm.startsWith('RS') && !algorithm.startsWith('PS')) throw error;
    return createPublicKey({ key: bytes, format: 'der', type: 'pkcs1' });
  }
}
