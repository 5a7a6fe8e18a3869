/**
 * Content-Type: the reference's rules (Accept without `*`, the request's Content-Type, the
 * content-type attribute) first, then magic-byte sniffing, else octet-stream; script-capable
 * types get `Content-Security-Policy: sandbox` unless the operator opts out; always nosniff.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { declaredContentType, isScriptCapable, sniffContentType } from '../../src/http/content-type.ts';
import { startGateway, type GatewayFixture } from '../fixtures/gateway.ts';
import { randomBytes } from '../fixtures/random.ts';

const text = (s: string) => new TextEncoder().encode(s);
const PNG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
const MP4 = Uint8Array.from([0, 0, 0, 0x20, ...text('ftypisom'), 0, 0, 2, 0]);

describe('sniffContentType', () => {
  test('recognises media, documents and text', () => {
    const cases: [Uint8Array, string][] = [
      [PNG, 'image/png'],
      [Uint8Array.from([0xff, 0xd8, 0xff, 0xe0]), 'image/jpeg'],
      [text('GIF89a....'), 'image/gif'],
      [text('RIFF\0\0\0\0WEBPVP8 '), 'image/webp'],
      [text('RIFF\0\0\0\0WAVEfmt '), 'audio/wave'],
      [text('ID3\x03\0'), 'audio/mpeg'],
      [text('OggS\0'), 'audio/ogg'],
      [MP4, 'video/mp4'],
      [Uint8Array.from([0x1a, 0x45, 0xdf, 0xa3, 1]), 'video/webm'],
      [text('%PDF-1.7\n'), 'application/pdf'],
      [text('{"a": [1, 2]}'), 'application/json'],
      [text('hello, wörld\n'), 'text/plain; charset=utf-8'],
      [text('<html><script>alert(1)</script></html>'), 'text/plain; charset=utf-8'],
      [Uint8Array.from([0, 1, 2, 3, 250]), 'application/octet-stream'],
      [new Uint8Array(0), 'application/octet-stream'],
    ];
    for (const [bytes, type] of cases) assert.equal(sniffContentType(bytes, true), type, type);
  });
  test('the reference rules and script-capable types', () => {
    assert.equal(declaredContentType({ accept: 'image/png', requestContentType: undefined, attributeContentType: 'text/html' }), 'image/png');
    assert.equal(declaredContentType({ accept: '*/*', requestContentType: 'text/css', attributeContentType: undefined }), 'text/css');
    assert.equal(declaredContentType({ accept: 'text/html,*/*', requestContentType: undefined, attributeContentType: 'image/svg+xml' }), 'image/svg+xml');
    assert.equal(declaredContentType({ accept: undefined, requestContentType: undefined, attributeContentType: undefined }), undefined);
    for (const type of ['text/html; charset=utf-8', 'image/svg+xml', 'application/xml', 'text/xml', 'application/xhtml+xml']) assert.ok(isScriptCapable(type), type);
    for (const type of ['text/plain', 'image/png', 'application/json']) assert.ok(!isScriptCapable(type), type);
  });
});

describe('Content-Type over HTTP', () => {
  let gw: GatewayFixture;
  let png: string;
  let binary: string;
  before(async () => {
    gw = await startGateway();
    png = (await gw.store(Uint8Array.from([...PNG, ...randomBytes(3000, 1)]))).blobId;
    binary = (await gw.store(Uint8Array.from([0, 1, 2, ...randomBytes(100, 2)]))).blobId;
  });
  after(() => gw.stop());

  test('sniffed on GET and on HEAD, with nosniff', async () => {
    for (const method of ['HEAD', 'GET']) {
      const response = await fetch(`${gw.url}/v1/blobs/${png}`, { method });
      assert.equal(response.headers.get('content-type'), 'image/png', method);
      assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
      assert.equal(response.headers.get('content-security-policy'), null);
      await response.arrayBuffer();
    }
    const other = await fetch(`${gw.url}/v1/blobs/${binary}`);
    assert.equal(other.headers.get('content-type'), 'application/octet-stream');
    await other.arrayBuffer();
  });

  test('Accept naming one type wins, and HTML gets the sandbox CSP', async () => {
    const response = await fetch(`${gw.url}/v1/blobs/${png}`, { headers: { accept: 'text/html' } });
    assert.equal(response.headers.get('content-type'), 'text/html');
    assert.equal(response.headers.get('content-security-policy'), 'sandbox');
    await response.arrayBuffer();
  });
});

describe('operator opt-out of the sandbox', () => {
  let gw: GatewayFixture;
  before(async () => {
    gw = await startGateway({ args: ['--allow-script-content'] });
  });
  after(() => gw.stop());

  test('no CSP for SVG when allowed', async () => {
    const { blobId } = await gw.store(text('<svg xmlns="http://www.w3.org/2000/svg"/>'));
    const response = await fetch(`${gw.url}/v1/blobs/${blobId}`, { headers: { accept: 'image/svg+xml' } });
    assert.equal(response.headers.get('content-type'), 'image/svg+xml');
    assert.equal(response.headers.get('content-security-policy'), null);
    await response.arrayBuffer();
  });
});
