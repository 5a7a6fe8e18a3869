// @ts-check
/**
 * The answer of `PUT /v1/blobs` shown as a person wants it (docs/http-api.md §1.6): the IDs with
 * copy buttons, the end epoch, the cost in WAL, a link to the blob; and, for `alreadyCertified`,
 * what that means. The JSON is decoded field by field: a shape we do not know is said plainly.
 */
import { facts, h, idValue } from './dom.js';
import { formatSize, formatWal } from './format.js';

/**
 * @typedef {object} StoredBlob
 * @property {'newlyCreated' | 'alreadyCertified'} outcome
 * @property {string} blobId
 * @property {number} endEpoch
 * @property {string} [objectId] the Blob object (new, or the certified one for alreadyCertified)
 * @property {string} [sharedObjectId] the SharedBlob wrapping it (`share=true`)
 * @property {string} [txDigest] the certifying transaction (alreadyCertified by event)
 * @property {number} [size]
 * @property {boolean} [deletable]
 * @property {number} [cost] FROST
 * @property {boolean} [reusedRegistration] a retry that paid nothing new
 */

/**
 * @param {unknown} value
 * @returns {Record<string, unknown>}
 */
function record(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? /** @type {Record<string, unknown>} */ (value) : {};
}

/** @param {unknown} value */
function text(value) {
  return typeof value === 'string' ? value : undefined;
}

/** @param {unknown} value */
function number(value) {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/**
 * @param {unknown} json the parsed answer
 * @returns {StoredBlob | undefined}
 */
export function decodeStoreResult(json) {
  const root = record(json);
  const created = record(root.newlyCreated);
  const blob = record(created.blobObject);
  const blobId = text(blob.blobId);
  const endEpoch = number(record(blob.storage).endEpoch);
  if (blobId !== undefined && endEpoch !== undefined) {
    return {
      outcome: 'newlyCreated',
      blobId,
      endEpoch,
      objectId: text(blob.id),
      sharedObjectId: text(created.sharedBlobObject),
      size: number(blob.size),
      deletable: typeof blob.deletable === 'boolean' ? blob.deletable : undefined,
      cost: number(created.cost),
      reusedRegistration: 'reuseRegistration' in record(created.resourceOperation),
    };
  }
  const certified = record(root.alreadyCertified);
  const certifiedId = text(certified.blobId);
  const certifiedEnd = number(certified.endEpoch);
  if (certifiedId === undefined || certifiedEnd === undefined) return undefined;
  return { outcome: 'alreadyCertified', blobId: certifiedId, endEpoch: certifiedEnd, objectId: text(certified.object), txDigest: text(record(certified.event).txDigest) };
}

/**
 * @typedef {object} ResultActions
 * @property {boolean} canRead whether this gateway serves reads (a link to the blob works)
 * @property {(id: string) => void} [lookUp] opens the blob in the read half of the page
 */

/**
 * @param {StoredBlob} stored
 * @param {ResultActions} actions
 * @returns {HTMLElement}
 */
function links(stored, actions) {
  const row = h('p', { class: 'links' });
  if (actions.canRead) {
    row.append(h('a', { href: `/v1/blobs/${encodeURIComponent(stored.blobId)}`, 'data-field': 'blob-link', target: '_blank', rel: 'noopener' }, 'Open the blob'));
  }
  const lookUp = actions.lookUp;
  if (lookUp) {
    const button = h('button', { type: 'button', class: 'secondary', 'data-field': 'show-details' }, 'Show details and preview');
    button.addEventListener('click', () => lookUp(stored.blobId));
    row.append(button);
  }
  return row;
}

/**
 * @param {StoredBlob} stored
 * @param {string} fileName
 * @param {ResultActions} actions
 * @returns {HTMLElement}
 */
export function renderStoreResult(stored, fileName, actions) {
  const blobIdRow = /** @type {[string, Node]} */ (['Blob ID', idValue(stored.blobId, 'blob ID', 'blob-id')]);
  const endRow = /** @type {[string, Node]} */ ([
    'End epoch',
    h('span', {}, h('span', { 'data-field': 'end-epoch' }, String(stored.endEpoch)), h('span', { class: 'muted' }, ` — readable until epoch ${stored.endEpoch} begins`)),
  ]);
  if (stored.outcome === 'alreadyCertified') {
    return h(
      'article',
      { class: 'outcome already', 'data-outcome': 'alreadyCertified' },
      h('h3', {}, 'Already on Walrus — nothing was paid'),
      h(
        'p',
        {},
        `Walrus already holds a certified copy of exactly these bytes (“${fileName}”) until epoch ${stored.endEpoch}, which covers the epochs you asked for. ` +
          'The publisher did not store or pay for it again, and no new Blob object was created: the blob ID is the one any copy of these bytes gets.',
      ),
      facts([
        blobIdRow,
        ['Certified object', stored.objectId ? idValue(stored.objectId, 'object ID', 'object-id') : undefined],
        ['Certified by transaction', stored.txDigest ? idValue(stored.txDigest, 'transaction digest', 'tx-digest') : undefined],
        endRow,
      ]),
      links(stored, actions),
    );
  }
  return h(
    'article',
    { class: 'outcome created', 'data-outcome': 'newlyCreated' },
    h('h3', {}, `Stored “${fileName}”`),
    facts([
      blobIdRow,
      ['Object ID', stored.objectId ? idValue(stored.objectId, 'object ID', 'object-id') : undefined],
      ['Shared object ID', stored.sharedObjectId ? idValue(stored.sharedObjectId, 'shared object ID', 'shared-object-id') : undefined],
      ['Size', stored.size === undefined ? undefined : formatSize(stored.size)],
      endRow,
      ['Deletion', stored.deletable === undefined ? undefined : stored.deletable ? 'Deletable by the object’s owner' : 'Permanent'],
      [
        'Cost',
        stored.cost === undefined
          ? undefined
          : h('span', { 'data-field': 'cost' }, `${formatWal(stored.cost)} (${stored.cost.toLocaleString('en-US')} FROST)${stored.reusedRegistration ? ' — an earlier registration was reused' : ''}`),
      ],
    ]),
    links(stored, actions),
  );
}
