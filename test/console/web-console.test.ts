/**
 * The web console (issue 15) in a real headless Chromium against a daemon on a local network:
 * store by picker and by drop with progress, the IDs and epochs it shows are the gateway's, previews
 * and downloads serve the blob's bytes, lookups by blob, object and quilt patch ID (a quilt lists its
 * files), errors read as the gateway wrote them, nothing breaks the console's CSP; the read-only console of an aggregator; `--no-console`.
 * Screenshots of every state land in test-artifacts/console/.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { blobIdToString } from '../../src/codec/blob-id.ts';
import { kernelSelection } from '../../src/codec/kernel/select-kernel.ts';
import { CONSOLE_CSP } from '../../src/console/console-routes.ts';
import { loadConfig } from '../../src/config.ts';
import { buildApp, type GatewayApp } from '../../src/http/app.ts';
import { GatewayMetrics } from '../../src/http/metrics.ts';
import { oracleEncode } from '../fixtures/oracle.ts';
import { startPublisher, type PublisherFixture } from '../fixtures/publisher.ts';
import { randomBytes } from '../fixtures/random.ts';
import { openBrowser, type ConsoleBrowser } from '../fixtures/browser.ts';
import { makePng } from '../fixtures/png.ts';

const SHARDS = 10;
/** Small enough to keep the test quick, large enough to refuse a file client-side. */
const MAX_BODY_KIB = 2048;
/** Upload throughput while the progress bar is watched: a 1 MiB file then takes about two seconds. */
const THROTTLED_UPLOAD_BYTES_PER_SECOND = 512 * 1024;
const OBJECT_ID = /^0x[0-9a-f]{64}$/;
const POLL_MS = 20;
const NOTES = 'Walrus notes\n\nA blob ID names the bytes; the object ID names who owns the storage.\n';
const QUILT_README = '# A quilt\n\nMany small files in one blob, each read on its own.\n';

/** The text of the element with this `data-field` inside `scope`. */
async function field(page: Page, scope: string, name: string): Promise<string> {
  return (await page.locator(`${scope} [data-field="${name}"]`).first().innerText()).trim();
}

async function readBytes(url: string): Promise<Buffer> {
  const response = await fetch(url);
  assert.equal(response.status, 200, `GET ${url}`);
  return Buffer.from(await response.arrayBuffer());
}

/** The gateway's JSON error body. */
async function errorOf(response: Response): Promise<{ message: string; details: { reason: string }[] }> {
  return ((await response.json()) as { error: { message: string; details: { reason: string }[] } }).error;
}

/**
 * Waits until `expression` is true in the page. Polled from here: Playwright's own waitForFunction
 * evaluates its predicate with eval, which the console's CSP rightly refuses.
 */
async function until(page: Page, expression: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await page.evaluate(expression))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${expression}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

async function lookUp(page: Page, id: string): Promise<void> {
  await page.getByLabel('Blob ID, object ID (0x…) or quilt patch ID').fill(id);
  await page.getByRole('button', { name: 'Look up', exact: true }).click();
  await page.locator('#lookup-result[aria-busy]').waitFor({ state: 'detached' });
}

describe('web console', () => {
  let pub: PublisherFixture;
  let browser: ConsoleBrowser;
  let page: Page;
  /** Filled as the tests store files, for the later ones. */
  const stored: { textBlobId?: string; textObjectId?: string } = {};

  before(async () => {
    // The browser first: without Chromium the suite fails at once, with the setup to run.
    browser = await openBrowser();
    page = browser.page;
    pub = await startPublisher({ nodes: 4, shards: SHARDS, args: ['--max-body-size', String(MAX_BODY_KIB)] });
  });
  after(async () => {
    await browser?.close();
    await pub?.stop();
  });

  test('the page and its files carry the CSP, their type, an ETag and no-cache; a matching If-None-Match is a 304', async () => {
    for (const [path, type] of [
      ['/', 'text/html; charset=utf-8'],
      ['/console/console.js', 'text/javascript; charset=utf-8'],
      ['/console/console.css', 'text/css; charset=utf-8'],
      ['/console/icon.svg', 'image/svg+xml'],
    ]) {
      const response = await fetch(pub.url + path);
      assert.equal(response.status, 200, path);
      assert.equal(response.headers.get('content-type'), type, path);
      assert.equal(response.headers.get('content-security-policy'), CONSOLE_CSP, path);
      assert.equal(response.headers.get('x-content-type-options'), 'nosniff', path);
      assert.equal(response.headers.get('cache-control'), 'no-cache', path);
      const etag = response.headers.get('etag');
      assert.match(etag ?? '', /^"[A-Za-z0-9_-]{22}"$/, path);
      const again = await fetch(pub.url + path, { headers: { 'if-none-match': etag ?? '' } });
      assert.equal(again.status, 304, path);
    }
    const page = await (await fetch(pub.url + '/')).text();
    assert.doesNotMatch(page, /\{\{|<!--\/?(upload|lookup)-->|style=|<script>/, 'the page is rendered and has no inline script or style');
    assert.match(page, /id="upload-form"/);
    assert.match(page, /id="lookup-form"/);
    for (const path of ['/console/tsconfig.json', '/console/nothing.js', '/console/..%2Fconsole-routes.ts']) {
      const response = await fetch(pub.url + path);
      assert.equal(response.status, 404, path);
      assert.equal((await errorOf(response)).details[0].reason, 'ROUTE_NOT_FOUND');
    }
  });

  test('the page loads, its controls are labelled and reachable by keyboard', async () => {
    await page.goto(pub.url + '/');
    await page.locator('body[data-ready="true"]').waitFor();
    await browser.screenshot('01-empty');
    assert.equal(await page.getByLabel('Epochs').inputValue(), '1');
    assert.ok(await page.getByRole('radio', { name: /Deletable/ }).isChecked());
    assert.equal(await page.getByRole('button', { name: 'Store' }).isDisabled(), true, 'nothing to store yet');
    await page.keyboard.press('Tab'); // skip link
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate('document.activeElement.id'), 'file-input', 'the file picker is the first control');
  });

  test('a file from the picker uploads with a progress bar; the page shows the blob ID the gateway computes and the options chosen', async () => {
    const bytes = randomBytes(1024 * 1024, 15);
    const cdp = await browser.context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: THROTTLED_UPLOAD_BYTES_PER_SECOND });
    try {
      await page.locator('#file-input').setInputFiles({ name: 'random.bin', mimeType: 'application/octet-stream', buffer: Buffer.from(bytes) });
      assert.match(await page.locator('#file-summary').innerText(), /random\.bin — 1\.00 MiB \(1,048,576 bytes\)/);
      await page.getByLabel('Epochs').fill('3');
      await page.getByRole('radio', { name: /Permanent/ }).check();
      await page.getByRole('button', { name: 'Store' }).click();
      // Part-way through the body: the bar shows a fraction and the label a percentage.
      await until(page, '(() => { const bar = document.getElementById("progress-bar"); return bar.hasAttribute("value") && bar.value > 5 && bar.value < 95; })()');
      assert.match(await page.locator('#progress-label').innerText(), /^Uploading \d+% — /);
      await browser.screenshot('02-uploading');
    } finally {
      await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
      await cdp.detach();
    }
    await page.locator('#upload-result [data-outcome="newlyCreated"]').waitFor();
    await browser.screenshot('03-stored');
    const blobId = await field(page, '#upload-result', 'blob-id');
    assert.equal(blobId, blobIdToString(oracleEncode(bytes, SHARDS).blobId), 'the official encoder agrees');
    assert.deepEqual(new Uint8Array(await readBytes(`${pub.url}/v1/blobs/${blobId}`)), bytes);
    const objectId = await field(page, '#upload-result', 'object-id');
    assert.match(objectId, OBJECT_ID);
    const object = await pub.chain.getBlobObject(objectId);
    assert.ok(object);
    assert.equal(object.blobId, blobId);
    assert.equal(object.deletable, false, 'permanent was asked for');
    assert.equal(object.storage.endEpoch - object.registeredEpoch, 3, 'three epochs were asked for');
    assert.equal(await field(page, '#upload-result', 'end-epoch'), String(object.storage.endEpoch));
    assert.match(await field(page, '#upload-result', 'cost'), /^\d+(\.\d+)? WAL \([\d,]+ FROST\)$/);
    assert.equal(await page.locator('#upload-result [data-field="blob-link"]').getAttribute('href'), `/v1/blobs/${blobId}`);
  });

  test('a dropped image is stored and previewed: the page gets the PNG’s bytes', async () => {
    const png = makePng(48, 32, (x, y) => [x * 5, y * 7, 160]);
    const drop = await page.evaluateHandle(
      `(() => { const data = new DataTransfer(); data.items.add(new File([new Uint8Array(${JSON.stringify([...png])})], 'gradient.png', { type: 'image/png' })); return data; })()`,
    );
    await page.locator('#drop-zone').dispatchEvent('dragenter', { dataTransfer: drop });
    await page.locator('#drop-zone').dispatchEvent('drop', { dataTransfer: drop });
    assert.match(await page.locator('#file-summary').innerText(), /gradient\.png — [\d.]+ KiB \([\d,]+ bytes\), image\/png/);
    await page.getByRole('radio', { name: /Deletable/ }).check();
    await page.getByLabel('Epochs').fill('1');
    await page.getByRole('button', { name: 'Store' }).click();
    await page.locator('#upload-result [data-outcome="newlyCreated"]').waitFor();
    const blobId = await field(page, '#upload-result', 'blob-id');
    assert.equal(blobId, blobIdToString(oracleEncode(png, SHARDS).blobId));
    const object = await pub.chain.getBlobObject(await field(page, '#upload-result', 'object-id'));
    assert.equal(object?.deletable, true);

    const served = page.waitForResponse((response) => response.url().endsWith(`/v1/blobs/${blobId}`) && response.request().method() === 'GET');
    await page.getByRole('button', { name: 'Show details and preview' }).click();
    const image = page.locator('#lookup-result [data-field="preview-image"]');
    await image.waitFor();
    assert.deepEqual(await (await served).body(), png, 'the preview loaded the stored bytes');
    await until(page, `document.querySelector('#lookup-result [data-field="preview-image"]').naturalWidth === 48`);
    assert.equal(await field(page, '#lookup-result', 'content-type'), 'image/png');
    assert.match(await field(page, '#lookup-result', 'size'), new RegExp(`^[\\d.]+ KiB \\(${png.length.toLocaleString('en-US')} bytes\\)$`));
    await browser.screenshot('04-image-preview');
  });

  test('a text file is previewed as text and its download link serves the bytes as an attachment', async () => {
    await page.locator('#file-input').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from(NOTES) });
    await page.getByRole('button', { name: 'Store' }).click();
    await page.locator('#upload-result [data-outcome="newlyCreated"]').waitFor();
    stored.textBlobId = await field(page, '#upload-result', 'blob-id');
    stored.textObjectId = await field(page, '#upload-result', 'object-id');

    await lookUp(page, stored.textBlobId);
    assert.equal(await field(page, '#lookup-result', 'preview-text'), NOTES.trim());
    assert.equal(await field(page, '#lookup-result', 'content-type'), 'text/plain; charset=utf-8');
    assert.match(await field(page, '#lookup-result', 'certified-epoch'), /^\d+$/);
    const href = await page.locator('#lookup-result [data-field="download-link"]').getAttribute('href');
    assert.equal(href, `/v1/blobs/${stored.textBlobId}?download=true`);
    const download = await fetch(pub.url + href);
    assert.equal(download.headers.get('content-disposition'), 'attachment');
    assert.equal(await download.text(), NOTES);
    await browser.screenshot('05-text-preview');
  });

  test('an object ID finds the same blob, with both IDs shown', async () => {
    assert.ok(stored.textObjectId && stored.textBlobId);
    await lookUp(page, stored.textObjectId);
    assert.equal(await field(page, '#lookup-result', 'blob-id'), stored.textBlobId);
    assert.equal(await field(page, '#lookup-result', 'object-id'), stored.textObjectId);
    assert.equal(await field(page, '#lookup-result', 'size'), `${Buffer.byteLength(NOTES)} bytes`);
    assert.equal(await field(page, '#lookup-result', 'preview-text'), NOTES.trim());
    assert.equal(await page.locator('#lookup-result [data-field="open-link"]').getAttribute('href'), `/v1/blobs/by-object-id/${stored.textObjectId}`);
    await browser.screenshot('06-by-object-id');
  });

  test('storing bytes Walrus already holds says what alreadyCertified means', async () => {
    await page.locator('#file-input').setInputFiles({ name: 'notes-again.txt', mimeType: 'text/plain', buffer: Buffer.from(NOTES) });
    await page.getByRole('button', { name: 'Store' }).click();
    const result = page.locator('#upload-result [data-outcome="alreadyCertified"]');
    await result.waitFor();
    assert.match(await result.innerText(), /nothing was paid/);
    assert.equal(await field(page, '#upload-result', 'blob-id'), stored.textBlobId);
    await browser.screenshot('07-already-certified');
  });

  test('a quilt patch ID reads that one file: identifier, quilt, tagged type, preview and download; the quilt lists its files', async () => {
    const png = makePng(24, 16, (x, y) => [x * 10, 90, y * 15]);
    const form = new FormData();
    form.append('docs/readme.md', new Blob([QUILT_README]), 'readme.md');
    form.append('gradient.png', new Blob([png]), 'gradient.png');
    form.append('_metadata', JSON.stringify([{ identifier: 'docs/readme.md', tags: { 'content-type': 'text/markdown; charset=utf-8', author: 'walrus' } }]));
    const response = await fetch(`${pub.url}/v1/quilts?epochs=2`, { method: 'PUT', body: form });
    const json = (await response.json()) as { blobStoreResult: { newlyCreated: { blobObject: { blobId: string } } }; storedQuiltBlobs: { identifier: string; quiltPatchId: string }[] };
    assert.equal(response.status, 200, JSON.stringify(json));
    const quiltId = json.blobStoreResult.newlyCreated.blobObject.blobId;
    const patchIdOf = (identifier: string) => json.storedQuiltBlobs.find((patch) => patch.identifier === identifier)?.quiltPatchId ?? '';
    const readme = patchIdOf('docs/readme.md');

    await lookUp(page, readme);
    assert.equal(await page.locator('#lookup-result [data-outcome="quilt-patch"]').count(), 1);
    assert.equal(await field(page, '#lookup-result', 'patch-identifier'), 'docs/readme.md');
    assert.equal(await field(page, '#lookup-result', 'patch-id'), readme);
    assert.equal(await field(page, '#lookup-result', 'quilt-id'), quiltId);
    assert.equal(await field(page, '#lookup-result', 'content-type'), 'text/markdown; charset=utf-8', 'the content-type tag');
    assert.equal(await field(page, '#lookup-result', 'size'), `${Buffer.byteLength(QUILT_README)} bytes`);
    assert.match(await field(page, '#lookup-result', 'certified-epoch'), /^\d+$/);
    assert.equal(await field(page, '#lookup-result', 'preview-text'), QUILT_README.trim());
    assert.equal(await page.locator('#lookup-result [data-field="open-link"]').getAttribute('href'), `/v1/blobs/by-quilt-patch-id/${readme}`);
    const href = await page.locator('#lookup-result [data-field="download-link"]').getAttribute('href');
    assert.equal(href, `/v1/blobs/by-quilt-patch-id/${readme}?download=true&filename=docs%2Freadme.md`);
    const download = await fetch(pub.url + href);
    assert.equal(download.headers.get('content-disposition'), 'attachment; filename="docs_readme.md"');
    assert.equal(await download.text(), QUILT_README);
    await browser.screenshot('12-quilt-patch');

    // The quilt's own blob ID: the blob, and the list of its files, each of which opens here.
    await page.getByRole('button', { name: 'Look up the quilt' }).click();
    await page.locator('#lookup-result [data-field="quilt-patches"]').waitFor();
    await page.locator('#lookup-result[aria-busy]').waitFor({ state: 'detached' });
    assert.equal(await field(page, '#lookup-result', 'blob-id'), quiltId);
    assert.deepEqual(await page.locator('#lookup-result [data-field="quilt-patches"] [data-field="patch-identifier"]').allInnerTexts(), ['docs/readme.md', 'gradient.png']);
    assert.match(await page.locator('#lookup-result [data-field="quilt-patches"]').innerText(), /author=walrus/);
    await browser.screenshot('13-quilt-patches');
    await page.getByRole('button', { name: 'Look up gradient.png' }).click();
    await page.locator('#lookup-result [data-outcome="quilt-patch"]').waitFor();
    await page.locator('#lookup-result[aria-busy]').waitFor({ state: 'detached' });
    assert.equal(await field(page, '#lookup-result', 'patch-id'), patchIdOf('gradient.png'));
    assert.equal(await field(page, '#lookup-result', 'content-type'), 'image/png', 'sniffed without a tag');
    await until(page, `document.querySelector('#lookup-result [data-field="preview-image"]').naturalWidth === 24`);

    // A blob that is not a quilt lists nothing (the gateway answers NOT_A_QUILT).
    assert.ok(stored.textBlobId);
    await lookUp(page, stored.textBlobId);
    assert.equal(await page.locator('#lookup-result [data-field="quilt-patches"]').count(), 0);
    assert.equal(await field(page, '#lookup-result', 'preview-text'), NOTES.trim());
  });

  test('the gateway’s errors are shown with its message, for quilt patches too; a non-ID is refused before any request', async () => {
    const missing = Buffer.from(randomBytes(32, 99)).toString('base64url');
    const expected = (await errorOf(await fetch(`${pub.url}/v1/blobs/${missing}`))).message;
    await lookUp(page, missing);
    assert.equal(await field(page, '#lookup-result', 'error-message'), expected);
    assert.match(await page.locator('#lookup-result [role="alert"]').innerText(), /HTTP 404 · BLOB_NOT_FOUND/);
    await browser.screenshot('08-not-found');

    // A patch of a quilt that does not exist: the gateway's 404, as for a blob.
    const patchId = Buffer.concat([Buffer.from(randomBytes(32, 7)), Buffer.from([1, 1, 0, 2, 0])]).toString('base64url');
    const patchError = (await errorOf(await fetch(`${pub.url}/v1/blobs/by-quilt-patch-id/${patchId}`))).message;
    await lookUp(page, patchId);
    assert.equal(await field(page, '#lookup-result', 'error-message'), patchError);
    assert.match(await page.locator('#lookup-result [role="alert"]').innerText(), /HTTP 404 · BLOB_NOT_FOUND/);
    await browser.screenshot('09-quilt-patch-not-found');

    await lookUp(page, 'not an id');
    assert.match(await field(page, '#lookup-result', 'error-message'), /is not an ID/);
    assert.equal(await page.getByLabel('Blob ID, object ID (0x…) or quilt patch ID').getAttribute('aria-invalid'), 'true');

    // The publisher refuses the epochs: its JSON message is what the page shows.
    await page.locator('#file-input').setInputFiles({ name: 'far.txt', mimeType: 'text/plain', buffer: Buffer.from('far future') });
    await page.getByLabel('Epochs').fill('100000');
    await page.getByRole('button', { name: 'Store' }).click();
    const problem = page.locator('#upload-result [role="alert"]');
    await problem.waitFor();
    const refused = await pub.put(Buffer.from('far future'), 'epochs=100000&deletable=true');
    assert.ok(refused.status >= 400);
    assert.equal(await field(page, '#upload-result', 'error-message'), refused.json.error.message);
    await browser.screenshot('10-store-refused');
    await page.getByLabel('Epochs').fill('1');

    // Larger than --max-body-size: refused before a byte is sent.
    await page.locator('#file-input').setInputFiles({ name: 'big.bin', mimeType: 'application/octet-stream', buffer: Buffer.alloc(MAX_BODY_KIB * 1024 + 1) });
    assert.match(await field(page, '#upload-result', 'error-message'), /this gateway stores at most 2\.00 MiB per file/);
    assert.equal(await page.getByRole('button', { name: 'Store' }).isDisabled(), true);
  });

  test('nothing on the page broke its CSP or logged an error (besides the 404s the lookups asked for)', async () => {
    // The 404s asked for: blobs and patches that do not exist, and patch lists of blobs that are not quilts.
    const unexpected = browser.complaints.filter((c) => !(c.kind === 'console' && /Failed to load resource: the server responded with a status of (400|404)/.test(c.text) && /\/v1\/(blobs|quilts)[/?]/.test(c.url ?? '')));
    assert.deepEqual(unexpected, []);
    // The detector works: an outside image is blocked and reported.
    await page.evaluate(`(() => { const image = new Image(); image.src = 'https://example.invalid/x.png'; document.body.append(image); })()`);
    for (let i = 0; i < 50 && !browser.complaints.some((c) => c.kind === 'csp'); i++) await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    assert.ok(browser.complaints.some((c) => c.kind === 'csp' && /img-src/.test(c.text)), 'a CSP violation is seen when there is one');
  });

  describe('in other modes', () => {
    const apps: GatewayApp[] = [];
    const appFor = async (mode: 'aggregator' | 'daemon', args: string[] = []): Promise<{ app: GatewayApp; url: string }> => {
      const config = loadConfig(mode, ['--bind-address', '127.0.0.1:0', '--data-dir', pub.dataDir, ...args], {});
      const selection = kernelSelection();
      const metrics = new GatewayMetrics({ kernelDescription: selection.description, kernelName: selection.kernel.name, mode });
      const app = buildApp({ config, chain: pub.chain, kernel: selection.kernel, metrics, logger: false });
      apps.push(app);
      return { app, url: await app.app.listen({ host: '127.0.0.1', port: 0 }) };
    };
    after(async () => {
      for (const app of apps) await app.app.close();
    });

    test('an aggregator’s console only reads', async () => {
      const { url } = await appFor('aggregator');
      const reader = await browser.context.newPage();
      await reader.goto(url + '/');
      await reader.locator('body[data-ready="true"]').waitFor();
      assert.equal(await reader.locator('#upload-form').count(), 0);
      assert.ok(stored.textBlobId);
      await lookUp(reader, stored.textBlobId);
      assert.equal(await field(reader, '#lookup-result', 'preview-text'), NOTES.trim());
      await browser.screenshot('11-aggregator', reader);
      await reader.close();
    });

    test('--no-console (or WALRUS_GATEWAY_NO_CONSOLE) leaves / to the usual 404 JSON', async () => {
      assert.equal(loadConfig('daemon', [], { WALRUS_GATEWAY_NO_CONSOLE: 'true' }).console, false);
      assert.equal(loadConfig('daemon', [], {}).console, true);
      const { app } = await appFor('aggregator', ['--no-console']);
      for (const path of ['/', '/console/console.js']) {
        const response = await app.app.inject({ method: 'GET', url: path });
        assert.equal(response.statusCode, 404, path);
        assert.equal(response.headers['content-type'], 'application/json; charset=utf-8');
        assert.equal(response.json().error.details[0].reason, 'ROUTE_NOT_FOUND');
      }
    });
  });
});
