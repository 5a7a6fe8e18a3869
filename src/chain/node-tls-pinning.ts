import { X509Certificate } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import { Agent, buildConnector } from 'undici';

/**
 * TLS to storage nodes pinned to their on-chain `network_public_key` (docs/protocol.md §4.1):
 * the certificate's secp256r1 key must equal the 33-byte compressed key the node registered. The
 * chain, not web PKI, vouches for the node, so a self-signed certificate carrying the key is
 * accepted, and so is a CA-issued one; any certificate with another key is refused. As in the Rust
 * client, the certificate's validity period and host name are not checked: the key is the identity.
 */
export const COMPRESSED_P256_KEY_LENGTH = 33;
const P256_COORDINATE_LENGTH = 32;

export class PinnedKeyMismatchError extends Error {
  override readonly name = 'PinnedKeyMismatchError';
  readonly code = 'ERR_WALRUS_PINNED_KEY_MISMATCH';
}

/** The compressed secp256r1 key in a DER certificate, or `null` when it carries another key type. */
export function certificateP256Key(der: Uint8Array): Uint8Array | null {
  const key = new X509Certificate(der).publicKey;
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') return null;
  const jwk = key.export({ format: 'jwk' });
  if (jwk.x === undefined || jwk.y === undefined) return null;
  const x = Buffer.from(jwk.x, 'base64url');
  const y = Buffer.from(jwk.y, 'base64url');
  if (x.length !== P256_COORDINATE_LENGTH || y.length !== P256_COORDINATE_LENGTH) return null;
  const compressed = new Uint8Array(COMPRESSED_P256_KEY_LENGTH);
  compressed[0] = (y[y.length - 1] & 1) === 1 ? 0x03 : 0x02;
  compressed.set(x, 1);
  return compressed;
}

/** Refuses the socket unless its peer certificate carries `expected`. */
export function verifyPinnedKey(socket: TLSSocket, expected: Uint8Array): void {
  const peer = socket.getPeerCertificate(false);
  if (peer === null || peer.raw === undefined) throw new PinnedKeyMismatchError('the storage node presented no certificate');
  const actual = certificateP256Key(peer.raw);
  if (actual === null) throw new PinnedKeyMismatchError('the storage node certificate does not carry a secp256r1 key');
  if (!Buffer.from(actual).equals(Buffer.from(expected))) {
    throw new PinnedKeyMismatchError(`the storage node certificate key ${Buffer.from(actual).toString('hex')} is not its on-chain key ${Buffer.from(expected).toString('hex')}`);
  }
}

export interface PinnedAgentOptions {
  /** The node's on-chain `network_public_key`. */
  readonly networkPublicKey: Uint8Array;
  readonly connectTimeoutMs?: number;
  /** Passed through to the undici Agent (e.g. `connections`, keep-alive). */
  readonly agentOptions?: Omit<Agent.Options, 'connect'>;
}

/**
 * An undici connector that completes TLS without web-PKI validation and then accepts the socket
 * only if the certificate carries the pinned key. Session resumption is off so every connection
 * shows its certificate.
 */
export function pinnedConnector(networkPublicKey: Uint8Array, connectTimeoutMs?: number): buildConnector.connector {
  if (networkPublicKey.length !== COMPRESSED_P256_KEY_LENGTH) {
    throw new RangeError(`a network public key has ${COMPRESSED_P256_KEY_LENGTH} bytes, not ${networkPublicKey.length}`);
  }
  const pinned = new Uint8Array(networkPublicKey);
  // rejectUnauthorized is off on purpose: the pinned-key check below replaces chain validation.
  const base = buildConnector({ rejectUnauthorized: false, maxCachedSessions: 0, timeout: connectTimeoutMs });
  return (options, callback) => {
    if (options.protocol !== 'https:') {
      return callback(new PinnedKeyMismatchError(`a pinned connection needs https, not ${options.protocol}`), null);
    }
    return base(options, (error, socket) => {
      if (error !== null) return callback(error, null);
      try {
        verifyPinnedKey(socket as TLSSocket, pinned);
      } catch (mismatch) {
        socket.destroy();
        return callback(mismatch as Error, null);
      }
      return callback(null, socket);
    });
  };
}

/** One pooled Agent per storage node, pinned to that node's key. */
export function createPinnedAgent(options: PinnedAgentOptions): Agent {
  return new Agent({ ...options.agentOptions, connect: pinnedConnector(options.networkPublicKey, options.connectTimeoutMs) });
}
