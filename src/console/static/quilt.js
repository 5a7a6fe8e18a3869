// @ts-check
/**
 * Quilts in the read half of the console (docs/http-api.md §1.5): a patch read by its patch ID is
 * shown like a blob, with its identifier and its quilt; a blob that is a quilt lists its patches
 * (`GET /v1/quilts/{id}/patches`, the reference's JSON) with a way to open each.
 */
import { h } from './dom.js';

/** More patches than this are summed up rather than listed: a quilt may hold thousands. */
const MAX_LISTED_PATCHES = 200;

/**
 * @typedef {object} QuiltPatchEntry
 * @property {string} identifier
 * @property {string} patchId
 * @property {Record<string, string>} tags
 */

/**
 * @param {unknown} value
 * @returns {value is Record<string, unknown>}
 */
function isRecord(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The patch list as the gateway sends it; entries that do not have the reference's shape are
 * left out rather than trusted.
 * @param {unknown} json
 * @returns {QuiltPatchEntry[] | undefined}
 */
export function parsePatchList(json) {
  if (!Array.isArray(json)) return undefined;
  /** @type {QuiltPatchEntry[]} */
  const entries = [];
  for (const item of json) {
    if (!isRecord(item) || typeof item.identifier !== 'string' || typeof item.patch_id !== 'string') continue;
    /** @type {Record<string, string>} */
    const tags = {};
    if (isRecord(item.tags)) for (const [key, value] of Object.entries(item.tags)) if (typeof value === 'string') tags[key] = value;
    entries.push({ identifier: item.identifier, patchId: item.patch_id, tags });
  }
  return entries;
}

/**
 * The patches of `quiltId`, or `undefined` when it is not a quilt (404 `NOT_A_QUILT`) or the list
 * cannot be had: the caller then shows the blob alone.
 * @param {string} quiltId
 * @returns {Promise<QuiltPatchEntry[] | undefined>}
 */
export async function fetchPatchList(quiltId) {
  try {
    const response = await fetch(`/v1/quilts/${encodeURIComponent(quiltId)}/patches`);
    if (!response.ok) return undefined;
    return parsePatchList(await response.json());
  } catch {
    // No list this time (network, not JSON): the blob is still shown.
    return undefined;
  }
}

/**
 * A patch's identifier: from `X-Quilt-Patch-Identifier`, else (the header is left out for
 * identifiers that are not plain ASCII) from its quilt's patch list.
 * @param {Headers} headers
 * @param {string} quiltId
 * @param {string} patchId
 * @returns {Promise<string | undefined>}
 */
export async function patchIdentifier(headers, quiltId, patchId) {
  const header = headers.get('x-quilt-patch-identifier');
  if (header !== null) return header;
  return (await fetchPatchList(quiltId))?.find((entry) => entry.patchId === patchId)?.identifier;
}

/**
 * `author=walrus, version=2`, for a line under an identifier.
 * @param {Record<string, string>} tags
 * @returns {string}
 */
function tagSummary(tags) {
  return Object.entries(tags)
    .map(([key, value]) => `${key}=${value}`)
    .join(', ');
}

/**
 * The list of a quilt's patches, each with an Open link and a button that looks it up here.
 * @param {QuiltPatchEntry[]} patches
 * @param {(id: string) => void} lookUp
 * @returns {HTMLElement}
 */
export function renderPatchList(patches, lookUp) {
  const shown = patches.slice(0, MAX_LISTED_PATCHES);
  const list = h('ul', { class: 'patch-list', 'data-field': 'quilt-patches' });
  for (const patch of shown) {
    const button = h('button', { type: 'button', class: 'secondary', 'aria-label': `Look up ${patch.identifier}`, 'data-field': 'look-up-patch' }, 'Look up');
    button.addEventListener('click', () => lookUp(patch.patchId));
    const tags = tagSummary(patch.tags);
    list.append(
      h(
        'li',
        {},
        h('code', { 'data-field': 'patch-identifier' }, patch.identifier),
        tags ? h('span', { class: 'muted patch-tags' }, tags) : undefined,
        h(
          'span',
          { class: 'patch-actions' },
          h('a', { href: `/v1/blobs/by-quilt-patch-id/${encodeURIComponent(patch.patchId)}`, target: '_blank', rel: 'noopener' }, 'Open'),
          button,
        ),
      ),
    );
  }
  const count = patches.length === 1 ? 'one file' : `${patches.length.toLocaleString('en-US')} files`;
  return h(
    'section',
    { class: 'quilt', 'aria-label': 'Files in this quilt' },
    h('h3', {}, 'A quilt'),
    h('p', {}, `This blob is a quilt of ${count}; each one can be read on its own by its patch ID.`),
    list,
    patches.length > shown.length ? h('p', { class: 'note' }, `The first ${shown.length} of ${patches.length.toLocaleString('en-US')} are listed.`) : undefined,
  );
}
