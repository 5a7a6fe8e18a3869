/**
 * Wallet keys in Sui's `suiprivkey1…` Bech32 form (the `sui keytool` export format). Key text is a
 * secret: it is never logged, and errors about it never include it.
 */
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { decodeSuiPrivateKey, type Keypair } from '@mysten/sui/cryptography';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { Secp256k1Keypair } from '@mysten/sui/keypairs/secp256k1';
import { Secp256r1Keypair } from '@mysten/sui/keypairs/secp256r1';

/** Owner-only: the file holds a private key. */
const KEY_FILE_MODE = 0o600;

export class WalletKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WalletKeyError';
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
  switch (parsed.scheme) {
    case 'ED25519':
      return Ed25519Keypair.fromSecretKey(parsed.secretKey);
    case 'Secp256k1':
      return Secp256k1Keypair.fromSecretKey(parsed.secretKey);
    case 'Secp256r1':
      return Secp256r1Keypair.fromSecretKey(parsed.secretKey);
    default:
      throw new WalletKeyError(`${source} holds a ${parsed.scheme} key; only Ed25519, Secp256k1 and Secp256r1 keys can sign`);
  }
}

/** Reads a key file, or creates it with a fresh Ed25519 key when `create` is set and it is missing. */
export async function loadOrCreateKeyFile(path: string, create: boolean): Promise<Keypair> {
  const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT' && create) return undefined;
    throw new WalletKeyError(`cannot read the key file ${path}: ${error.code ?? error.message}`);
  });
  if (text !== undefined) return keypairFromSuiPrivateKey(text, `the key file ${path}`);
  const keypair = new Ed25519Keypair();
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, keypair.getSecretKey() + '\n', { mode: KEY_FILE_MODE, flag: 'wx' });
  await chmod(path, KEY_FILE_MODE);
  return keypair;
}
