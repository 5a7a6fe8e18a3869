// @ts-check
/**
 * The read half of the console: an ID is looked up with `HEAD` (docs/http-api.md §1.1–§1.3: size,
 * certified and end epochs, content type, blob ID), then previewed and offered for download
 * (`?download=true` → `Content-Disposition: attachment`). A quilt patch ID is read the same way
 * through `/v1/blobs/by-quilt-patch-id/` (§1.5), and a blob that is a quilt lists its patches. A
 * HEAD answer has no body, so when it fails the error is read from a one-byte `GET`: the JSON
 * error, or a single byte if it now works.
 */
import { byId, facts, h, idValue, showProblem } from './dom.js';
import { networkProblem, parseId, problemFromResponse, quiltIdOfPatch, formatSize } from './format.js';
import { renderPreview } from './preview.js';
import { fetchPatchList, patchIdentifier, renderPatchList } from './quilt.js';

/**
 * @typedef {object} PatchFacts
 * @property {string} patchId
 * @property {string | undefined} identifier undefined when the gateway could not say it
 */

/**
 * @typedef {object} BlobFacts
 * @property {string} url where the blob (or the quilt patch) is read
 * @property {string} blobId the blob's ID; for a quilt patch, its quilt's
 * @property {PatchFacts | undefined} patch set when this is one patch of a quilt
 * @property {string | undefined} objectId
 * @property {number | undefined} size
 * @property {string} contentType
 * @property {string | undefined} certifiedEpoch
 * @property {string | undefined} endEpoch
 */

/**
 * @param {import('./format.js').ParsedId & { kind: 'blob' | 'object' | 'quilt-patch' }} parsed
 * @returns {string}
 */
function readUrl(parsed) {
  const id = encodeURIComponent(parsed.id);
  if (parsed.kind === 'object') return `/v1/blobs/by-object-id/${id}`;
  if (parsed.kind === 'quilt-patch') return `/v1/blobs/by-quilt-patch-id/${id}`;
  return `/v1/blobs/${id}`;
}

/**
 * The error behind a failed HEAD, from a GET of the first byte.
 * @param {string} url
 * @param {Response} head
 * @returns {Promise<import('./format.js').Problem>}
 */
async function problemOf(url, head) {
  try {
    const response = await fetch(url, { headers: { range: 'bytes=0-0' } });
    if (!response.ok) return problemFromResponse(response.status, await response.text(), response.headers.get('retry-after'));
  } catch {
    // No answer this time: report the HEAD's status alone.
  }
  return problemFromResponse(head.status, '', head.headers.get('retry-after'));
}

/**
 * @param {string} url
 * @param {Headers} headers
 * @param {string} fallbackId
 * @returns {BlobFacts}
 */
function factsFrom(url, headers, fallbackId) {
  const length = headers.get('content-length');
  return {
    url,
    blobId: headers.get('x-walrus-blob-id') ?? fallbackId,
    patch: undefined,
    objectId: headers.get('x-walrus-object-id') ?? undefined,
    size: length === null ? undefined : Number(length),
    contentType: headers.get('content-type') ?? 'application/octet-stream',
    certifiedEpoch: headers.get('x-walrus-certified-epoch') ?? undefined,
    endEpoch: headers.get('x-walrus-end-epoch') ?? undefined,
  };
}

/**
 * The download link: a patch is saved under its identifier (the gateway turns `/` into `_`).
 * @param {BlobFacts} blob
 * @returns {string}
 */
function downloadUrl(blob) {
  const identifier = blob.patch?.identifier;
  return identifier === undefined ? `${blob.url}?download=true` : `${blob.url}?download=true&filename=${encodeURIComponent(identifier)}`;
}

/**
 * The rows that say which patch of which quilt this is.
 * @param {PatchFacts} patch
 * @param {string} quiltId
 * @param {(id: string) => void} lookUp
 * @returns {Array<[string, Node | string | undefined]>}
 */
function patchRows(patch, quiltId, lookUp) {
  const button = h('button', { type: 'button', class: 'secondary', 'data-field': 'look-up-quilt' }, 'Look up the quilt');
  button.addEventListener('click', () => lookUp(quiltId));
  return [
    ['Identifier', patch.identifier === undefined ? h('span', { class: 'muted' }, 'not reported') : h('code', { 'data-field': 'patch-identifier' }, patch.identifier)],
    ['Quilt patch ID', idValue(patch.patchId, 'quilt patch ID', 'patch-id')],
    ['In the quilt', h('span', {}, idValue(quiltId, 'quilt ID', 'quilt-id'), ' ', button)],
  ];
}

/**
 * @param {BlobFacts} blob
 * @param {(id: string) => void} lookUp
 * @returns {HTMLElement}
 */
function renderFacts(blob, lookUp) {
  const download = downloadUrl(blob);
  return h(
    'article',
    { class: 'outcome found', 'data-outcome': blob.patch ? 'quilt-patch' : 'found' },
    facts([
      ...(blob.patch ? patchRows(blob.patch, blob.blobId, lookUp) : [/** @type {[string, Node]} */ (['Blob ID', idValue(blob.blobId, 'blob ID', 'blob-id')])]),
      ['Object ID', blob.objectId ? idValue(blob.objectId, 'object ID', 'object-id') : undefined],
      ['Size', blob.size === undefined ? undefined : h('span', { 'data-field': 'size' }, formatSize(blob.size))],
      ['Content type', h('span', { 'data-field': 'content-type' }, blob.contentType)],
      ['Certified in epoch', blob.certifiedEpoch === undefined ? 'not certified' : h('span', { 'data-field': 'certified-epoch' }, blob.certifiedEpoch)],
      [
        'End epoch',
        blob.endEpoch === undefined
          ? h('span', { class: 'muted' }, 'not reported: storage nodes give none for deletable blobs (the Blob object holds it)')
          : h('span', { 'data-field': 'end-epoch' }, blob.endEpoch),
      ],
    ]),
    h(
      'p',
      { class: 'links' },
      h('a', { href: blob.url, target: '_blank', rel: 'noopener', 'data-field': 'open-link' }, 'Open'),
      h('a', { href: download, download: '', 'data-field': 'download-link' }, 'Download'),
    ),
    h('div', { class: 'quilt-patches', 'data-field': 'quilt' }),
    h('div', { class: 'preview', 'data-field': 'preview' }),
  );
}

/** Wires the read form; returns a function that looks an ID up (the store half uses it). */
export function setUpLookup() {
  const form = byId('lookup-form', HTMLFormElement);
  const input = byId('lookup-id', HTMLInputElement);
  const button = byId('lookup-button', HTMLButtonElement);
  const result = byId('lookup-result', HTMLDivElement);
  let generation = 0;

  /** @param {string} text */
  const lookUp = async (text) => {
    const parsed = parseId(text);
    const mine = ++generation;
    if (parsed.kind === 'invalid') {
      showProblem(result, { status: 0, message: parsed.reason }, 'Not an ID');
      input.setAttribute('aria-invalid', 'true');
      return;
    }
    input.removeAttribute('aria-invalid');
    const url = readUrl(parsed);
    result.replaceChildren(h('p', { class: 'note' }, 'Looking it up…'));
    result.setAttribute('aria-busy', 'true');
    button.disabled = true;
    try {
      let head;
      try {
        head = await fetch(url, { method: 'HEAD' });
      } catch {
        if (mine === generation) showProblem(result, networkProblem('The lookup'), 'Lookup failed');
        return;
      }
      if (mine !== generation) return;
      if (!head.ok) {
        const problem = await problemOf(url, head);
        if (mine === generation) showProblem(result, problem, 'Lookup failed');
        return;
      }
      const open = (/** @type {string} */ id) => void openId(id);
      if (parsed.kind === 'quilt-patch') {
        const quiltId = head.headers.get('x-walrus-blob-id') ?? quiltIdOfPatch(parsed.id);
        const patchId = head.headers.get('x-walrus-quilt-patch-id') ?? parsed.id;
        const blob = { ...factsFrom(url, head.headers, quiltId), patch: { patchId, identifier: await patchIdentifier(head.headers, quiltId, patchId) } };
        if (mine !== generation) return;
        await show(blob, open);
        return;
      }
      const blob = factsFrom(url, head.headers, parsed.id);
      // A quilt is an ordinary blob too; the patch list says whether it is one.
      await show(blob, open, async (container) => {
        const patches = await fetchPatchList(blob.blobId);
        if (patches && mine === generation) container.replaceChildren(renderPatchList(patches, open));
      });
    } finally {
      if (mine === generation) {
        result.removeAttribute('aria-busy');
        button.disabled = false;
      }
    }
  };

  /**
   * Shows what was found, then fills its preview and (for a blob) the quilt's patch list.
   * @param {BlobFacts} blob
   * @param {(id: string) => void} open
   * @param {(container: HTMLElement) => Promise<void>} [quiltPart]
   */
  const show = async (blob, open, quiltPart) => {
    const article = renderFacts(blob, open);
    result.replaceChildren(article);
    const preview = article.querySelector('[data-field=preview]');
    const quilt = article.querySelector('[data-field=quilt]');
    await Promise.all([
      preview instanceof HTMLElement ? renderPreview(preview, blob) : undefined,
      quilt instanceof HTMLElement && quiltPart ? quiltPart(quilt) : undefined,
    ]);
  };

  /** @param {string} id */
  const openId = async (id) => {
    input.value = id;
    input.scrollIntoView({ block: 'center' });
    await lookUp(id);
  };

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void lookUp(input.value);
  });
  return openId;
}
