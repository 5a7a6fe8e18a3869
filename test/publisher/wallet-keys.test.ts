/** The main wallet's key file: `suiprivkey1…` text or a Sui CLI keystore, every signing scheme, secrets never echoed. */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { decodeSuiPrivateKey, SIGNATURE_SCHEME_TO_FLAG, type Keypair } from '@mysten/sui/cryptography';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { Secp256k1Keypair } from '@mysten/sui/keypairs/secp256k1';
import { Secp256r1Keypair } from '@mysten/sui/keypairs/secp256r1';
import { keypairFromSuiPrivateKey, loadOrCreateKeyFile, loadWalletKeyFile, WalletKeyError } from '../../src/publisher/wallet-keys.ts';

/** A keystore entry as `sui keytool` writes it: base64 of the scheme flag and the 32-byte secret. */
function keystoreEntry(keypair: Keypair): string {
  const { scheme, secretKey } = decodeSuiPrivateKey(keypair.getSecretKey());
  return Buffer.from([SIGNATURE_SCHEME_TO_FLAG[scheme], ...secretKey]).toString('base64');
}

describe('wallet key files', () => {
  let dir: string;
  const file = async (name: string, text: string) => {
    const path = join(dir, name);
    await writeFile(path, text);
    return path;
  };
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'walrus-wallet-keys-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('a suiprivkey1… file of each signing scheme gives that keypair', async () => {
    for (const keypair of [new Ed25519Keypair(), Secp256k1Keypair.generate(), Secp256r1Keypair.generate()]) {
      const loaded = await loadWalletKeyFile(await file(`${keypair.getKeyScheme()}.key`, `${keypair.getSecretKey()}\n`));
      assert.equal(loaded.getKeyScheme(), keypair.getKeyScheme());
      assert.equal(loaded.toSuiAddress(), keypair.toSuiAddress());
    }
  });

  it('a Sui keystore gives its first signing key, whatever its scheme', async () => {
    const first = Secp256k1Keypair.generate();
    const second = new Ed25519Keypair();
    // Flag 3 (multisig) cannot sign a transaction alone; such entries are skipped.
    const multisig = Buffer.from([SIGNATURE_SCHEME_TO_FLAG.MultiSig, ...new Uint8Array(32)]).toString('base64');
    const path = await file('sui.keystore', JSON.stringify([multisig, keystoreEntry(first), keystoreEntry(second)], null, 2));
    assert.equal((await loadWalletKeyFile(path)).toSuiAddress(), first.toSuiAddress());
  });

  it('unusable files fail with WalletKeyError, and no message contains key material', async () => {
    const secret = new Ed25519Keypair().getSecretKey();
    const cases: [string, string, RegExp][] = [
      ['broken.keystore', `["${secret}", `, /is not valid JSON/],
      ['object.keystore', JSON.stringify({ key: secret }), /holds neither a suiprivkey1… key nor a Sui keystore/],
      ['multisig.keystore', JSON.stringify([Buffer.from([3, ...new Uint8Array(32)]).toString('base64')]), /keystore without an Ed25519, Secp256k1 or Secp256r1 key/],
      ['short.keystore', JSON.stringify([Buffer.from([0, 1, 2]).toString('base64')]), /entry 0 is not a base64 flag-and-key/],
      ['typo.key', `${secret.slice(0, -3)}xyz`, /is not a Sui private key in the suiprivkey1… format/],
    ];
    for (const [name, text, pattern] of cases) {
      await assert.rejects(loadWalletKeyFile(await file(name, text)), (error: unknown) => {
        assert.ok(error instanceof WalletKeyError, name);
        assert.match(error.message, pattern, name);
        assert.ok(!error.message.includes(secret.slice(12, 40)), `${name}: the message must not quote the key`);
        return true;
      });
    }
    await assert.rejects(loadWalletKeyFile(join(dir, 'missing.key')), /cannot read the key file .*missing\.key: ENOENT/);
    assert.throws(() => keypairFromSuiPrivateKey('nonsense', 'WALRUS_GATEWAY_WALLET_KEY'), /WALRUS_GATEWAY_WALLET_KEY is not a Sui private key/);
  });

  it('sub-wallet key files are created once, owner-only, and read back', async () => {
    const path = join(dir, 'sub', 'sub-wallet-0.key');
    const created = await loadOrCreateKeyFile(path, true);
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    assert.equal((await readFile(path, 'utf8')).trim(), created.getSecretKey());
    assert.equal((await loadOrCreateKeyFile(path, true)).toSuiAddress(), created.toSuiAddress());
    await assert.rejects(loadOrCreateKeyFile(join(dir, 'absent.key'), false), WalletKeyError);
  });
});
