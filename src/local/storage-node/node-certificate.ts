import { createPrivateKey, createPublicKey, createSign, type KeyObject } from 'node:crypto';

/**
 * Self-signed secp256r1 certificates built in pure Node, as Walrus storage nodes present them: the
 * chain, not a CA, vouches for the key (docs/protocol.md §4.1). node:crypto has no X.509 writer,
 * so the DER is assembled by hand.
 */
function der(tag: number, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  const n = body.length;
  const length = n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), length, body]);
}
const seq = (...parts: Buffer[]) => der(0x30, ...parts);
const oid = (bytes: number[]) => der(0x06, Buffer.from(bytes));
const ECDSA_WITH_SHA256 = oid([0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02]);
const COMMON_NAME = oid([0x55, 0x04, 0x03]);
const HOUR_MS = 3_600_000;
/** Validity is not checked by pinning clients; a long one keeps a long-running network valid for others. */
const VALIDITY_MS = 365 * 24 * HOUR_MS;

/** A minimal v3 self-signed certificate (PEM) for `publicKey`, signed with ECDSA-SHA256. */
export function selfSignedCertificate(publicKey: KeyObject, privateKey: KeyObject): string {
  const name = seq(der(0x31, seq(COMMON_NAME, der(0x0c, Buffer.from('walrus-node')))));
  const time = (date: Date) => der(0x17, Buffer.from(date.toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z'));
  const tbs = seq(
    der(0xa0, der(0x02, Buffer.from([2]))),
    der(0x02, Buffer.from([0x01, 0x23])),
    seq(ECDSA_WITH_SHA256),
    name,
    seq(time(new Date(Date.now() - HOUR_MS)), time(new Date(Date.now() + VALIDITY_MS))),
    name,
    publicKey.export({ type: 'spki', format: 'der' }),
  );
  const signature = createSign('SHA256').update(tbs).sign(privateKey);
  const certificate = seq(tbs, seq(ECDSA_WITH_SHA256), der(0x03, Buffer.from([0]), signature));
  // 64-column lines; a blank line before the footer (base64 a multiple of 64 long) makes OpenSSL refuse the PEM.
  return `-----BEGIN CERTIFICATE-----\n${certificate.toString('base64').match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE-----\n`;
}

/** The 33-byte compressed form of a secp256r1 public key, as the chain records `network_public_key`. */
export function compressedP256Key(publicKey: KeyObject): Uint8Array {
  const jwk = publicKey.export({ format: 'jwk' });
  const x = Buffer.from(jwk.x!, 'base64url');
  const y = Buffer.from(jwk.y!, 'base64url');
  return new Uint8Array([(y[y.length - 1] & 1) === 1 ? 0x03 : 0x02, ...x]);
}

/** What a node serves TLS with: its key (PKCS#8 PEM) and a certificate carrying it. */
export interface NodeTls {
  readonly key: string;
  readonly cert: string;
}

/** A node's TLS material from its secp256r1 private key (PKCS#8 PEM), with a fresh certificate. */
export function nodeTlsFromKey(privateKeyPem: string): NodeTls {
  const privateKey = createPrivateKey(privateKeyPem);
  return { key: privateKeyPem, cert: selfSignedCertificate(createPublicKey(privateKey), privateKey) };
}
