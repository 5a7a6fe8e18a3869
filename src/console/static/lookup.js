// @ts-check
/**
 * The read half of the console: an ID is looked up with `HEAD` (docs/http-api.md §1.1–§1.3: size,
 * certified and end epochs, content type, blob ID), then previewed and offered for download
 * (`?download=true` → `Content-Disposition: attachment`). A HEAD answer has no body, so when it
 * fails the error is read from a one-byte `GET`: the JSON error, or a single byte if it now works.
 */
import { byId, facts, h, idValue, showProblem } from './dom.js';
import { networkProblem, parseId, problemFromResponse, quiltIdOfPatch, formatSize } from './format.js';
import { renderPreview } from './preview.js';

const HTTP_NOT_FOUND = 404;
const HTTP_NOT_IMPLEMENTED = 501;

/**
 * @typedef {object} BlobFacts
 * @property {string} url where the blob is read
 * @property {string} blobId
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
    objectId: headers.get('x-walrus-object-id') ?? undefined,
    size: length === null ? undefined : Number(length),
    contentType: headers.get('content-type') ?? 'application/octet-stream',
    certifiedEpoch: headers.get('x-walrus-certified-epoch') ?? undefined,
    endEpoch: headers.get('x-walrus-end-epoch') ?? undefined,
  };
}

/**
 * @param {BlobFacts} blob
 * @returns {HTMLElement}
 */
function renderFacts(blob) {
  const download = `${blob.url}?download=true`;
  return h(
    'article',
    { class: 'outcome found', 'data-outcome': 'found' },
    facts([
      ['Blob ID', idValue(blob.blobId, 'blob ID', 'blob-id')],
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
    h('div', { class: 'preview', 'data-field': 'preview' }),
  );
}

/**
 * What to say about a quilt patch ID, which this gateway cannot read yet.
 * @param {HTMLElement} container
 * @param {string} patchId
 * @param {import('./format.js').Problem} problem
 * @param {(id: string) => void} lookUp
 */
function showQuiltUnsupported(container, patchId, problem, lookUp) {
  const quiltId = quiltIdOfPatch(patchId);
  const button = h('button', { type: 'button', class: 'secondary', 'data-field': 'look-up-quilt' }, 'Look up the whole quilt');
  button.addEventListener('click', () => lookUp(quiltId));
  container.replaceChildren(
    h(
      'div',
      { class: 'notice', role: 'status', 'data-outcome': 'quilt-unsupported' },
      h('h3', {}, 'Quilt patches cannot be read here yet'),
      h('p', {}, `This looks like a quilt patch ID: a quilt's blob ID plus 5 bytes naming one file in it. This gateway does not read quilts yet (it answered HTTP ${problem.status}), so it cannot cut that file out.`),
      h('p', {}, 'The quilt itself is an ordinary blob, in the quilt format:'),
      h('p', {}, idValue(quiltId, 'quilt blob ID', 'quilt-id'), ' ', button),
    ),
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
        if (mine !== generation) return;
        const unsupportedRoute = problem.status === HTTP_NOT_IMPLEMENTED || (problem.status === HTTP_NOT_FOUND && problem.reason === 'ROUTE_NOT_FOUND');
        if (parsed.kind === 'quilt-patch' && unsupportedRoute) showQuiltUnsupported(result, parsed.id, problem, (id) => void openId(id));
        else showProblem(result, problem, 'Lookup failed');
        return;
      }
      const blob = factsFrom(url, head.headers, parsed.id);
      const article = renderFacts(blob);
      result.replaceChildren(article);
      const preview = article.querySelector('[data-field=preview]');
      if (preview instanceof HTMLElement) await renderPreview(preview, blob);
    } finally {
      if (mine === generation) {
        result.removeAttribute('aria-busy');
        button.disabled = false;
      }
    }
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
