import { readFile } from 'node:fs/promises';
import { decodeSuiPrivateKey } from '@mysten/sui/cryptography';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';

/**
 * Wallet keys for the Sui chain client: Ed25519 only, from a `suiprivkey1…` string (Bech32, as
 * `sui keytool export` prints it) or a Sui CLI keystore file (a JSON array of base64 `flag ‖ key`).
 */
const ED25519_FLAG = 0x00;
const ED25519_SECRET_LENGTH = 32;

export class WalletKeyError extends Error {
  override readonly name = 'WalletKeyError';
}

/** An Ed25519 keypair from a `suiprivkey1…` string. */
export function keypairFromSuiPrivateKey(text: string): Ed25519Keypair {
  const { scheme, secretKey } = decodeSuiPrivateKey(text.trim());
  if (scheme !== 'ED25519') throw new WalletKeyError(`only Ed25519 wallet keys are supported, not ${scheme}`);
  return Ed25519Keypair.fromSecretKey(secretKey);
}

/** Every Ed25519 keypair in a Sui keystore's JSON contents. */
export function keypairsFromKeystore(json: string): Ed25519Keypair[] {
  const entries: unknown = JSON.parse(json);
  if (!Array.isArray(entries)) throw new WalletKeyError('a Sui keystore is a JSON array of base64 keys');
  const keypairs: Ed25519Keypair[] = [];
  for (const entry of entries) {
    if (typeof entry !== 'string') throw new WalletKeyError('a Sui keystore entry is not a string');
    const bytes = Buffer.from(entry, 'base64');
    // Other key schemes in the keystore are skipped: they cannot sign for this gateway.
    if (bytes[0] === ED25519_FLAG && bytes.length === 1 + ED25519_SECRET_LENGTH) keypairs.push(Ed25519Keypair.fromSecretKey(bytes.subarray(1)));
  }
  return keypairs;
}

/**
 * The wallet key in `path`: a file holding one `suiprivkey1…` string, or a Sui keystore (then the
 * first Ed25519 key, or the one whose address is `address`).
 */
export async function loadWalletKey(path: string, address?: string): Promise<Ed25519Keypair> {
  const text = (await readFile(path, 'utf8')).trim();
  if (text.startsWith('suiprivkey')) return keypairFromSuiPrivateKey(text);
  if (!text.startsWith('[')) throw new WalletKeyError(`${path} holds neither a suiprivkey string nor a Sui keystore`);
  const keypairs = keypairsFromKeystore(text);
  const chosen = address === undefined ? keypairs[0] : keypairs.find((k) => k.toSuiAddress() === address);
  if (chosen === undefined) throw new WalletKeyError(`${path} has no Ed25519 key${address === undefined ? '' : ` for ${address}`}`);
  return chosen;
}
