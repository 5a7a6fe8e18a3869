/**
 * The JWT options of the publisher, apart from the verifier itself: the configuration reads them
 * at start-up without loading jose (which only a publisher with auth on needs).
 */
export const JWT_ALGORITHMS = ['HS256', 'HS384', 'HS512', 'ES256', 'ES384', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'EdDSA'] as const;
export type JwtAlgorithm = (typeof JWT_ALGORITHMS)[number];

export interface JwtAuthConfig {
  /** `0x` hex or raw text; for asymmetric algorithms DER (SPKI, or PKCS#1 for RSA) bytes or PEM text. */
  readonly decodeSecret: string | undefined;
  readonly algorithm: JwtAlgorithm;
  /** If > 0, `exp − iat` must equal this. */
  readonly expiringSec: number;
  readonly verifyUpload: boolean;
  readonly cacheSize: number;
  readonly cacheRefreshMs: number;
}
