// @ts-check
/**
 * The store half of the console: a file from a drop or the picker, the `PUT /v1/blobs` query
 * (`epochs`, `deletable=true` / `permanent=true`, docs/http-api.md §1.6), and the upload itself over
 * XMLHttpRequest, the one browser API that reports upload progress.
 */
import { announce, byId, h, showProblem } from './dom.js';
import { formatBytes, formatSize, networkProblem, problemFromResponse } from './format.js';
import { decodeStoreResult, renderStoreResult } from './store-result.js';

const PERCENT = 100;
const HTTP_OK = 200;

/**
 * @typedef {object} UploadOptions
 * @property {number | undefined} maxBodySize bytes the gateway accepts in one PUT
 * @property {boolean} canRead whether the read routes are served here
 * @property {((id: string) => void) | undefined} lookUp opens a blob in the read half
 */

/**
 * The query of the PUT from the form, or a message saying what to fix.
 * @param {HTMLFormElement} form
 * @returns {{ query: string } | { invalid: string, field: HTMLElement }}
 */
export function storeQuery(form) {
  const epochs = byId('epochs', HTMLInputElement);
  const max = byId('epochs-max', HTMLInputElement);
  const params = new URLSearchParams();
  if (max.checked) params.set('epochs', 'max');
  else {
    const value = epochs.value.trim();
    if (!/^\d+$/.test(value) || Number(value) < 1) return { invalid: 'Epochs must be a whole number of at least 1.', field: epochs };
    params.set('epochs', String(Number(value)));
  }
  const persistence = new FormData(form).get('persistence');
  // Explicit even though deletable is the default: the URL then says what was asked for.
  params.set(persistence === 'permanent' ? 'permanent' : 'deletable', 'true');
  return { query: params.toString() };
}

/**
 * Wires the store form.
 * @param {UploadOptions} options
 */
export function setUpUpload(options) {
  const form = byId('upload-form', HTMLFormElement);
  const input = byId('file-input', HTMLInputElement);
  const zone = byId('drop-zone', HTMLDivElement);
  const summary = byId('file-summary', HTMLParagraphElement);
  const storeButton = byId('store-button', HTMLButtonElement);
  const cancelButton = byId('cancel-button', HTMLButtonElement);
  const progressBox = byId('upload-progress', HTMLDivElement);
  const bar = byId('progress-bar', HTMLProgressElement);
  const progressLabel = byId('progress-label', HTMLSpanElement);
  const result = byId('upload-result', HTMLDivElement);
  const maxCheckbox = byId('epochs-max', HTMLInputElement);
  const epochsInput = byId('epochs', HTMLInputElement);
  /** @type {File | undefined} */
  let file;
  /** @type {XMLHttpRequest | undefined} */
  let running;

  maxCheckbox.addEventListener('change', () => {
    epochsInput.disabled = maxCheckbox.checked;
  });

  /** @param {File | undefined} chosen */
  const choose = (chosen) => {
    file = chosen;
    result.replaceChildren();
    if (!chosen) {
      summary.textContent = 'No file chosen.';
      storeButton.disabled = true;
      return;
    }
    summary.replaceChildren(h('strong', { 'data-field': 'file-name' }, chosen.name), ` — ${formatSize(chosen.size)}${chosen.type ? `, ${chosen.type}` : ''}`);
    const tooLarge = options.maxBodySize !== undefined && chosen.size > options.maxBodySize;
    storeButton.disabled = tooLarge;
    if (tooLarge) {
      showProblem(result, { status: 0, message: `“${chosen.name}” is ${formatBytes(chosen.size)}; this gateway stores at most ${formatBytes(options.maxBodySize ?? 0)} per file.` }, 'This file is too large');
    }
  };

  input.addEventListener('change', () => choose(input.files?.[0]));

  // A file dropped anywhere else must not make the browser leave the page to open it.
  for (const type of ['dragover', 'drop']) window.addEventListener(type, (event) => event.preventDefault());
  zone.addEventListener('dragenter', (event) => {
    event.preventDefault();
    zone.classList.add('dragging');
  });
  zone.addEventListener('dragover', (event) => {
    event.preventDefault();
    if (event.dataTransfer) event.dataTransfer.dropEffect = 'copy';
  });
  zone.addEventListener('dragleave', (event) => {
    if (!(event.relatedTarget instanceof Node) || !zone.contains(event.relatedTarget)) zone.classList.remove('dragging');
  });
  zone.addEventListener('drop', (event) => {
    event.preventDefault();
    zone.classList.remove('dragging');
    const files = event.dataTransfer?.files;
    if (!files || files.length === 0) return;
    choose(files[0]);
    if (files.length > 1) announce(`One file at a time: ${files[0].name} was chosen.`);
  });

  /** @param {boolean} busy */
  const setBusy = (busy) => {
    for (const control of form.querySelectorAll('input, button[type=submit]')) {
      if (control instanceof HTMLInputElement || control instanceof HTMLButtonElement) control.disabled = busy;
    }
    if (!busy) epochsInput.disabled = maxCheckbox.checked;
    cancelButton.hidden = !busy;
    progressBox.hidden = !busy;
    form.setAttribute('aria-busy', String(busy));
  };

  cancelButton.addEventListener('click', () => running?.abort());

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (!file || running) return;
    const query = storeQuery(form);
    if ('invalid' in query) {
      showProblem(result, { status: 0, message: query.invalid }, 'Check the options');
      query.field.focus();
      return;
    }
    upload(file, query.query);
  });

  /**
   * @param {File} chosen
   * @param {string} query
   */
  const upload = (chosen, query) => {
    const xhr = new XMLHttpRequest();
    running = xhr;
    result.replaceChildren();
    bar.max = PERCENT;
    bar.value = 0;
    progressLabel.textContent = `Uploading “${chosen.name}”…`;
    setBusy(true);
    xhr.upload.addEventListener('progress', (event) => {
      if (!event.lengthComputable) return;
      bar.value = (event.loaded / event.total) * PERCENT;
      progressLabel.textContent = `Uploading ${Math.floor((event.loaded / event.total) * PERCENT)}% — ${formatBytes(event.loaded)} of ${formatBytes(event.total)}`;
    });
    xhr.upload.addEventListener('load', () => {
      // The bytes are sent; encoding, payment and certification have no measurable progress.
      bar.removeAttribute('value');
      progressLabel.textContent = 'Uploaded. Encoding, storing on the nodes and certifying on chain…';
    });
    const finish = () => {
      running = undefined;
      setBusy(false);
    };
    xhr.addEventListener('load', () => {
      finish();
      if (xhr.status !== HTTP_OK) {
        showProblem(result, problemFromResponse(xhr.status, xhr.responseText, xhr.getResponseHeader('retry-after')), `“${chosen.name}” was not stored`);
        return;
      }
      let stored;
      try {
        stored = decodeStoreResult(JSON.parse(xhr.responseText));
      } catch {
        stored = undefined;
      }
      if (!stored) {
        showProblem(result, { status: xhr.status, message: 'The gateway answered with JSON the console does not understand.' }, 'Unexpected answer');
        return;
      }
      result.replaceChildren(renderStoreResult(stored, chosen.name, { canRead: options.canRead, lookUp: options.lookUp }));
    });
    xhr.addEventListener('error', () => {
      finish();
      showProblem(result, networkProblem('The upload'), `“${chosen.name}” was not stored`);
    });
    xhr.addEventListener('abort', () => {
      finish();
      result.replaceChildren(h('p', { class: 'note' }, 'Upload cancelled.'));
    });
    xhr.open('PUT', `/v1/blobs?${query}`);
    xhr.setRequestHeader('content-type', 'application/octet-stream');
    xhr.send(chosen);
  };
}
