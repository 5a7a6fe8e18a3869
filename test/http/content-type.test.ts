/**
 * Content-Type only from trusted sources: the blob's content-type attribute, then magic-byte
 * sniffing, else octet-stream — never from the request's Accept or Content-Type (a shared cache
 * would keep the requester's choice for everyone). Every type not known to be inert gets
 * `Content-Security-Policy: sandbox` unless the operator opts out; always nosniff.
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
  test('only a well-formed content-type attribute is declared; everything not inert is sandboxed', () => {
    assert.equal(declaredContentType('text/html; charset=utf-8'), 'text/html; charset=utf-8');
    assert.equal(declaredContentType(' image/svg+xml '), 'image/svg+xml');
    assert.equal(declaredContentType(undefined), undefined);
    assert.equal(declaredContentType('html'), undefined);
    assert.equal(declaredContentType('text/html\r\nx-evil: 1'), undefined);
    const scriptCapable = [
      'text/html; charset=utf-8', 'image/svg+xml', 'application/xml', 'text/xml', 'application/xhtml+xml', 'text/xsl', 'application/xslt+xml',
      'application/xml-dtd', 'text/xml-external-parsed-entity', 'application/javascript', 'text/javascript', 'application/x-unknown', 'text/css', 'multipart/x-mixed-replace', 'audio/', 'nonsense',
    ];
    for (const type of scriptCapable) assert.ok(isScriptCapable(type), type);
    for (const type of ['text/plain; charset=utf-8', 'image/png', 'application/json', 'application/octet-stream', 'video/mp4', 'audio/mpeg', 'IMAGE/JPEG']) assert.ok(!isScriptCapable(type), type);
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

  test("the request's Accept and Content-Type never choose the type, so no Vary is needed", async () => {
    const { blobId } = await gw.store(text('<html><script>alert(document.domain)</script></html>'));
    const requests: Record<string, string>[] = [{ accept: 'text/xsl' }, { accept: 'text/html' }, { 'content-type': 'text/html' }, { accept: 'application/xml-dtd' }];
    for (const headers of requests) {
      const response = await fetch(`${gw.url}/v1/blobs/${blobId}`, { headers });
      assert.equal(response.headers.get('content-type'), 'text/plain; charset=utf-8', JSON.stringify(headers));
      assert.ok(!/accept|content-type/i.test(response.headers.get('vary') ?? ''), JSON.stringify(headers));
      await response.arrayBuffer();
    }
    const image = await fetch(`${gw.url}/v1/blobs/${png}`, { headers: { accept: 'text/html' } });
    assert.equal(image.headers.get('content-type'), 'image/png');
    await image.arrayBuffer();
  });

  test('the content-type attribute is served, sandboxed unless inert', async () => {
    const html = text('<html><script>alert(1)</script></html>');
    const cases: [string, string | null][] = [
      ['text/html', 'sandbox'],
      ['application/xml-dtd', 'sandbox'],
      ['text/xml-external-parsed-entity', 'sandbox'],
      ['application/x-never-heard-of-it', 'sandbox'],
      ['text/plain', null],
    ];
    for (const [type, csp] of cases) {
      const object = await gw.store(html, { 'content-type': type });
      const response = await fetch(`${gw.url}/v1/blobs/by-object-id/${object.id}`, { headers: { accept: 'image/png' } });
      assert.equal(response.headers.get('content-type'), type);
      assert.equal(response.headers.get('content-security-policy'), csp, type);
      await response.arrayBuffer();
    }
  });
});

describe('operator opt-out of the sandbox', () => {
  let gw: GatewayFixture;
  before(async () => {
    gw = await startGateway({ args: ['--allow-script-content'] });
  });
  after(() => gw.stop());

  test('no CSP for SVG when allowed', async () => {
    const object = await gw.store(text('<svg xmlns="http://www.w3.org/2000/svg"/>'), { 'content-type': 'image/svg+xml' });
    const response = await fetch(`${gw.url}/v1/blobs/by-object-id/${object.id}`);
    assert.equal(response.headers.get('content-type'), 'image/svg+xml');
    assert.equal(response.headers.get('content-security-policy'), null);
    await response.arrayBuffer();
  });
});
