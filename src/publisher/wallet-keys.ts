/**
 * Wallet keys: Sui's `suiprivkey1…` Bech32 form (as `sui keytool export` prints it) and Sui CLI
 * keystore files (`sui.keystore`: a JSON array of base64 `scheme flag ‖ 32-byte secret key`).
 * Ed25519, Secp256k1 and Secp256r1 keys can sign. Key text is a secret: it is never logged, and
 * errors about it never include it.
 */
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { decodeSuiPrivateKey, PRIVATE_KEY_SIZE, SIGNATURE_FLAG_TO_SCHEME, type Keypair, type SignatureScheme } from '@mysten/sui/cryptography';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { Secp256k1Keypair } from '@mysten/sui/keypairs/secp256k1';
import { Secp256r1Keypair } from '@mysten/sui/keypairs/secp256r1';

/** Owner-only: the file holds a private key. */
const KEY_FILE_MODE = 0o600;
const SUI_PRIVATE_KEY_PREFIX = 'suiprivkey';

export class WalletKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WalletKeyError';
  }
}

/** A keypair of a signing scheme, or `null` for schemes that cannot sign here (multisig, zkLogin, passkey). */
function keypairOf(scheme: SignatureScheme, secretKey: Uint8Array): Keypair | null {
  switch (scheme) {
    case 'ED25519':
      return Ed25519Keypair.fromSecretKey(secretKey);
    case 'Secp256k1':
      return Secp256k1Keypair.fromSecretKey(secretKey);
    case 'Secp256r1':
      return Secp256r1Keypair.fromSecretKey(secretKey);
    default:
      return null;
  }
}

/** Parses `suiprivkey1…`; `source` names where it came from (never the key itself). */
export function keypairFromSuiPrivateKey(text: string, source: string): Keypair {
  let parsed;
  try {
    parsed = decodeSuiPrivateKey(text.trim());
  } catch (error) {
    throw new WalletKeyError(`${source} is not a Sui private key in the suiprivkey1… format (${(error as Error).name})`);
  }
  const keypair = keypairOf(parsed.scheme, parsed.secretKey);
  if (keypair === null) throw new WalletKeyError(`${source} holds a ${parsed.scheme} key; only Ed25519, Secp256k1 and Secp256r1 keys can sign`);
  return keypair;
}

/** Every signing keypair in a Sui keystore's JSON text, in file order; entries of other schemes are skipped. */
export function keypairsFromKeystore(json: string, source: string): Keypair[] {
  let entries: unknown;
  try {
    entries = JSON.parse(json);
  } catch {
    // The parser's message quotes the text around the error, which here is key material.
    throw new WalletKeyError(`${source} is not valid JSON`);
  }
  if (!Array.isArray(entries)) throw new WalletKeyError(`${source} is not a Sui keystore (a JSON array of base64 keys)`);
  const keypairs: Keypair[] = [];
  entries.forEach((entry: unknown, index) => {
    const bytes = typeof entry === 'string' ? Buffer.from(entry, 'base64') : undefined;
    if (bytes === undefined || bytes.length !== 1 + PRIVATE_KEY_SIZE) throw new WalletKeyError(`${source}: keystore entry ${index} is not a base64 flag-and-key`);
    const scheme = (SIGNATURE_FLAG_TO_SCHEME as Record<number, SignatureScheme | undefined>)[bytes[0]];
    const keypair = scheme === undefined ? null : keypairOf(scheme, bytes.subarray(1));
    if (keypair !== null) keypairs.push(keypair);
  });
  return keypairs;
}

/**
 * The main wallet's key in `path`: one `suiprivkey1…` string, or a Sui keystore file, whose first
 * Ed25519, Secp256k1 or Secp256r1 key is used.
 */
export async function loadWalletKeyFile(path: string): Promise<Keypair> {
  const text = (
    await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
      throw unreadable(path, error);
    })
  ).trim();
  const source = `the key file ${path}`;
  if (text.startsWith(SUI_PRIVATE_KEY_PREFIX)) return keypairFromSuiPrivateKey(text, source);
  if (!text.startsWith('[')) throw new WalletKeyError(`${source} holds neither a suiprivkey1… key nor a Sui keystore`);
  const [first] = keypairsFromKeystore(text, source);
  if (first === undefined) throw new WalletKeyError(`${source} is a Sui keystore without an Ed25519, Secp256k1 or Secp256r1 key`);
  return first;
}

/** Reads a `suiprivkey1…` key file, or creates it with a fresh Ed25519 key when `create` is set and it is missing. */
export async function loadOrCreateKeyFile(path: string, create: boolean): Promise<Keypair> {
  const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT' && create) return undefined;
    throw unreadable(path, error);
  });
  if (text !== undefined) return keypairFromSuiPrivateKey(text, `the key file ${path}`);
  const keypair = new Ed25519Keypair();
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, keypair.getSecretKey() + '\n', { mode: KEY_FILE_MODE, flag: 'wx' });
  await chmod(path, KEY_FILE_MODE);
  return keypair;
}

function unreadable(path: string, error: NodeJS.ErrnoException): WalletKeyError {
  return new WalletKeyError(`cannot read the key file ${path}: ${error.code ?? error.message}`);
}
