// @ts-check
/**
 * A preview of a blob (or a quilt patch) by its content type: images, video and audio load straight from the
 * gateway (same origin, allowed by the console's CSP); text shows its first 64 KiB, read with a
 * `Range` request so a large file is not downloaded to be previewed.
 */
import { h } from './dom.js';
import { formatBytes } from './format.js';

/** How much of a text blob is shown. */
const TEXT_PREVIEW_BYTES = 64 * 1024;
const TEXT_TYPES = /^(text\/|application\/(json|xml|javascript|ld\+json|x-ndjson|yaml|toml)\b|[^;]*\+(json|xml)\b)/i;

/**
 * @param {HTMLElement} container
 * @param {import('./lookup.js').BlobFacts} blob
 */
export async function renderPreview(container, blob) {
  const type = blob.contentType.split(';')[0].trim().toLowerCase();
  const what = blob.patch ? `file ${blob.patch.identifier ?? blob.patch.patchId} of quilt ${blob.blobId}` : `blob ${blob.blobId}`;
  const label = `Preview of ${what}`;
  container.replaceChildren(h('h3', {}, 'Preview'));
  if (blob.size === 0) {
    container.append(h('p', { class: 'note' }, blob.patch ? 'The file is empty.' : 'The blob is empty.'));
    return;
  }
  if (type.startsWith('image/')) {
    const image = h('img', { src: blob.url, alt: label, 'data-field': 'preview-image' });
    image.addEventListener('error', () => image.replaceWith(h('p', { class: 'note' }, `The browser cannot display this ${type} image; download it instead.`)));
    container.append(image);
    return;
  }
  if (type.startsWith('video/') || type.startsWith('audio/')) {
    const media = h(type.startsWith('video/') ? 'video' : 'audio', { src: blob.url, controls: true, preload: 'metadata', 'aria-label': label, 'data-field': 'preview-media' });
    container.append(media);
    return;
  }
  if (TEXT_TYPES.test(type)) {
    await previewText(container, blob, label);
    return;
  }
  container.append(h('p', { class: 'note' }, `No preview for ${type}: use Download.`));
}

/**
 * @param {HTMLElement} container
 * @param {import('./lookup.js').BlobFacts} blob
 * @param {string} label
 */
async function previewText(container, blob, label) {
  let text;
  try {
    const response = await fetch(blob.url, { headers: { range: `bytes=0-${TEXT_PREVIEW_BYTES - 1}` } });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const bytes = new Uint8Array(await response.arrayBuffer());
    // A cut in the middle of a UTF-8 sequence shows as one replacement character at the end.
    text = new TextDecoder('utf-8').decode(bytes.subarray(0, TEXT_PREVIEW_BYTES));
  } catch (error) {
    container.append(h('p', { class: 'note' }, `The text could not be read for a preview (${error instanceof Error ? error.message : String(error)}).`));
    return;
  }
  container.append(h('pre', { class: 'text-preview', tabindex: '0', 'aria-label': label, 'data-field': 'preview-text' }, text));
  if (blob.size !== undefined && blob.size > TEXT_PREVIEW_BYTES) {
    container.append(h('p', { class: 'note' }, `The first ${formatBytes(TEXT_PREVIEW_BYTES)} of ${formatBytes(blob.size)}.`));
  }
}
