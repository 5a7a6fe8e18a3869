import { BcsReader } from '../../codec/bcs.ts';
import { MalformedBcsError } from '../../codec/errors.ts';
import { decodeBlobMetadata, type BlobMetadata } from '../../codec/metadata.ts';
import type { Sliver, SliverType } from '../../codec/sliver.ts';
import { InvalidContentTypeError } from './node-errors.ts';

/** Request bodies as the reference's `Bcs` extractor reads them: any BCS failure is INVALID_CONTENT_TYPE. */

const BCS_DECODE_FAILURE = 'unable to decode request body as BCS';

export function decodeMetadataBody(body: Uint8Array): BlobMetadata {
  try {
    return decodeBlobMetadata(body);
  } catch (error) {
    if (error instanceof MalformedBcsError) throw new InvalidContentTypeError(`${BCS_DECODE_FAILURE}: ${error.message}`);
    throw error;
  }
}

/**
 * BCS `SliverData` with serde's rules only: `symbol_size` is a `NonZeroU16`, nothing more. Unlike
 * the codec's `decodeSliver`, data that is not whole symbols still parses here, so it is rejected by
 * verification as INVALID_SLIVER, as the reference does, not as a BCS failure.
 */
export function decodeSliverBody(body: Uint8Array, type: SliverType): Sliver {
  try {
    const reader = new BcsReader(body, 'SliverData');
    const data = reader.bytes();
    const symbolSize = reader.u16();
    const index = reader.u16();
    reader.end();
    if (symbolSize === 0) reader.fail('symbol_size is zero');
    return { type, index, symbolSize, data };
  } catch (error) {
    if (error instanceof MalformedBcsError) throw new InvalidContentTypeError(`${BCS_DECODE_FAILURE}: ${error.message}`);
    throw error;
  }
}
