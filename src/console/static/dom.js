// @ts-check
/**
 * Small DOM helpers of the web console. Everything is built with `createElement` and `textContent`:
 * no HTML strings, so no value from the gateway or the user is ever parsed as markup, and no
 * inline style (the console's CSP forbids it).
 */
import { adviceFor } from './format.js';

/** How long a copy button says “Copied”. */
const COPIED_FEEDBACK_MS = 2000;

/**
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, string | boolean | undefined>} [attributes] `class`, `hidden`, data-…, aria-…
 * @param {...(Node | string | undefined)} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    element.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children) if (child !== undefined) element.append(child);
  return element;
}

/**
 * Finds an element the page must have.
 * @template {HTMLElement} T
 * @param {string} id
 * @param {new () => T} type
 * @returns {T}
 */
export function byId(id, type) {
  const element = document.getElementById(id);
  if (!(element instanceof type)) throw new Error(`the console page has no #${id}`);
  return element;
}

/**
 * Says something to screen-reader users without moving focus.
 * @param {string} text
 */
export function announce(text) {
  const announcer = document.getElementById('announcer');
  if (!announcer) return;
  announcer.textContent = '';
  // A fresh text node in a later task is announced even when the text repeats.
  setTimeout(() => {
    announcer.textContent = text;
  }, 0);
}

/**
 * Copies `text`: the async clipboard where the page is a secure context, else a selection and the
 * legacy copy command (plain http on a non-loopback host).
 * @param {string} text
 * @returns {Promise<boolean>}
 */
async function copyText(text) {
  if (navigator.clipboard && window.isSecureContext) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch {
      // Permission refused or document not focused: the fallback below may still work.
    }
  }
  const field = h('textarea', { readonly: true, class: 'copy-buffer', 'aria-hidden': 'true' }, text);
  document.body.append(field);
  field.select();
  const copied = document.execCommand('copy');
  field.remove();
  return copied;
}

/**
 * A button that copies `text`, named for screen readers by `label` (“Copy blob ID”).
 * @param {string} text
 * @param {string} label
 * @returns {HTMLButtonElement}
 */
export function copyButton(text, label) {
  const button = h('button', { type: 'button', class: 'copy', 'aria-label': label, title: label }, 'Copy');
  button.addEventListener('click', async () => {
    const copied = await copyText(text);
    button.textContent = copied ? 'Copied' : 'Copy failed';
    announce(copied ? `${label.replace(/^Copy /, '')} copied` : 'Copying failed: select the text and copy it');
    setTimeout(() => {
      button.textContent = 'Copy';
    }, COPIED_FEEDBACK_MS);
  });
  return button;
}

/**
 * A long identifier with its copy button.
 * @param {string} id
 * @param {string} name what it is (“blob ID”)
 * @param {string} field `data-field` for tests and styling
 * @returns {HTMLElement}
 */
export function idValue(id, name, field) {
  return h('span', { class: 'id-value' }, h('code', { 'data-field': field }, id), copyButton(id, `Copy ${name}`));
}

/**
 * A definition list of facts; rows whose value is undefined are left out.
 * @param {Array<[string, Node | string | undefined]>} rows
 * @returns {HTMLDListElement}
 */
export function facts(rows) {
  const list = h('dl', { class: 'facts' });
  for (const [term, value] of rows) if (value !== undefined) list.append(h('dt', {}, term), h('dd', {}, value));
  return list;
}

/**
 * Shows a problem in `container`, replacing what was there, and announces it.
 * @param {HTMLElement} container
 * @param {import('./format.js').Problem} problem
 * @param {string} title
 */
export function showProblem(container, problem, title) {
  const advice = adviceFor(problem);
  const code = [problem.status ? `HTTP ${problem.status}` : undefined, problem.reason].filter(Boolean).join(' · ');
  container.replaceChildren(
    h(
      'div',
      { class: 'problem', role: 'alert' },
      h('h3', {}, title),
      h('p', { class: 'problem-message', 'data-field': 'error-message' }, problem.message),
      advice ? h('p', {}, advice) : undefined,
      code ? h('p', { class: 'problem-code' }, code) : undefined,
    ),
  );
}
