import { encodeConfirmation, type StorageConfirmation } from '../../codec/confirmation.ts';
import { blsKeyPairFromSecret, blsSign, generateBlsKeyPair, type BlsKeyPair } from '../../crypto/bls.ts';

/**
 * `StorageConfirmation::Signed(SignedMessage)` as JSON (docs/protocol.md §4.5): the message bytes
 * and the 96-byte min_pk signature over them, both standard base64 with padding.
 */
export interface SignedConfirmationJson {
  readonly signed: { readonly serializedMessage: string; readonly signature: string };
}

/** Signs storage confirmations with the node's BLS12-381 min_pk key, over the exact §4.6 bytes. */
export class ConfirmationSigner {
  private readonly keyPair: BlsKeyPair;
  private impostor: BlsKeyPair | undefined;

  constructor(secretKey: Uint8Array) {
    this.keyPair = blsKeyPairFromSecret(secretKey);
  }

  /** Compressed G1 public key (48 bytes). */
  get publicKey(): Uint8Array {
    return this.keyPair.publicKey;
  }

  /** `withWrongKey` signs with a key that is not the node's: the fault a client must catch. */
  sign(confirmation: StorageConfirmation, withWrongKey = false): SignedConfirmationJson {
    const message = encodeConfirmation(confirmation);
    const secretKey = withWrongKey ? this.impostorKey().secretKey : this.keyPair.secretKey;
    return {
      signed: {
        serializedMessage: Buffer.from(message).toString('base64'),
        signature: Buffer.from(blsSign(message, secretKey)).toString('base64'),
      },
    };
  }

  private impostorKey(): BlsKeyPair {
    this.impostor ??= generateBlsKeyPair();
    return this.impostor;
  }
}
