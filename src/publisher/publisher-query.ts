/**
 * `PUT /v1/blobs` query parameters with the reference's names, defaults and rules (docs/http-api.md
 * §1.6, `PublisherQuery`): epochs (default 1, or `max`), permanent, deletable (deprecated: blobs are
 * deletable unless `permanent`), force, send_object_to, share, encoding_type.
 */
import { normalizeSuiAddress } from '@mysten/sui/utils';
import type { PostStoreAction, SuiAddress } from '../chain/chain-client.ts';
import { InvalidBlobPersistenceError, InvalidPublisherQueryError } from './publisher-errors.ts';

export const DEFAULT_EPOCHS = 1;
/** `epochs=max`: as far ahead as the system allows (the reference CLI's `EpochArg::Max`). */
export const EPOCHS_MAX = 'max';
const MAX_U32 = 0xffff_ffff;
const KNOWN = new Set(['epochs', 'permanent', 'deletable', 'force', 'send_object_to', 'share', 'encoding_type', 'reuse_resources', 'quilt_version']);

export interface StoreParams {
  readonly epochs: number | typeof EPOCHS_MAX;
  readonly deletable: boolean;
  readonly force: boolean;
  /** Where the certified Blob object goes; `null` → the publisher's main wallet (the reference default). */
  readonly sendObjectTo: SuiAddress | null;
  readonly share: boolean;
}

type RawQuery = Record<string, string | string[] | undefined>;

/** One value per parameter: serde rejects a repeated field. */
function single(query: RawQuery, name: string): string | undefined {
  const value = query[name];
  if (Array.isArray(value)) throw new InvalidPublisherQueryError(`Failed to deserialize query string: duplicate field \`${name}\``);
  return value;
}

function bool(query: RawQuery, name: string): boolean {
  const value = single(query, name);
  if (value === undefined) return false;
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new InvalidPublisherQueryError(`Failed to deserialize query string: ${name}: provided string was not \`true\` or \`false\``);
}

export function parseStoreQuery(query: RawQuery): StoreParams {
  for (const name of Object.keys(query)) {
    if (!KNOWN.has(name)) throw new InvalidPublisherQueryError(`Failed to deserialize query string: unknown field \`${name}\``);
  }
  const epochsText = single(query, 'epochs');
  let epochs: StoreParams['epochs'] = DEFAULT_EPOCHS;
  if (epochsText === EPOCHS_MAX) epochs = EPOCHS_MAX;
  else if (epochsText !== undefined) {
    if (!/^\d+$/.test(epochsText) || Number(epochsText) > MAX_U32) throw new InvalidPublisherQueryError(`Failed to deserialize query string: epochs: invalid digit found in string`);
    epochs = Number(epochsText);
    if (epochs === 0) throw new InvalidPublisherQueryError('epochs must be at least 1');
  }
  const permanent = bool(query, 'permanent');
  const deletableFlag = bool(query, 'deletable');
  if (permanent && deletableFlag) throw new InvalidBlobPersistenceError();
  const force = bool(query, 'force');
  bool(query, 'reuse_resources');
  const share = bool(query, 'share');
  const encoding = single(query, 'encoding_type');
  if (encoding !== undefined && encoding !== 'RS2') throw new InvalidPublisherQueryError(`Failed to deserialize query string: encoding_type: unknown variant \`${encoding.slice(0, 32)}\`, expected \`RS2\``);
  const to = single(query, 'send_object_to');
  let sendObjectTo: SuiAddress | null = null;
  if (to !== undefined) {
    if (!/^0x[0-9a-fA-F]{1,64}$/.test(to)) {
      throw new InvalidPublisherQueryError(`Failed to deserialize query string: send_object_to: invalid Sui address ${JSON.stringify(to.slice(0, 80))}`);
    }
    sendObjectTo = normalizeSuiAddress(to);
  }
  if (share && sendObjectTo !== null) throw new InvalidPublisherQueryError('send_object_to and share cannot be used together');
  return { epochs, deletable: !permanent, force, sendObjectTo, share };
}

/** What certification does with the Blob object: share it, send it, or move it to the main wallet. */
export function postStoreAction(params: StoreParams, mainWallet: SuiAddress): PostStoreAction {
  if (params.share) return { kind: 'share' };
  return { kind: 'transfer', recipient: params.sendObjectTo ?? mainWallet };
}

/** The spellings of QuiltV1 the reference accepts (`QuiltVersionEnum::from`). */
const QUILT_V1_NAMES = new Set(['V1', 'v1', '1']);

/**
 * `quilt_version` of `PUT /v1/quilts`: V1, the only version there is, and the default. The
 * reference maps any other text to V1 too; we refuse it, so a client asking for a version we do not
 * write learns so instead of getting V1.
 */
export function checkQuiltVersion(query: RawQuery): void {
  const version = single(query, 'quilt_version');
  if (version !== undefined && !QUILT_V1_NAMES.has(version)) {
    throw new InvalidPublisherQueryError(`quilt_version must be V1 (the only quilt version), got ${JSON.stringify(version.slice(0, 32))}`);
  }
}
