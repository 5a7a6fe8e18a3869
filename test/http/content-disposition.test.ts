/** `?filename=` and `?download=true` → Content-Disposition (RFC 6266 §4, RFC 8187 for non-ASCII names). */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { contentDisposition } from '../../src/http/content-disposition.ts';
import { startGateway, type GatewayFixture } from '../fixtures/gateway.ts';

describe('contentDisposition', () => {
  test('inline or attachment, with ASCII and RFC 8187 filenames', () => {
    assert.equal(contentDisposition(undefined, false), undefined);
    assert.equal(contentDisposition(undefined, true), 'attachment');
    assert.equal(contentDisposition('report.pdf', false), 'inline; filename="report.pdf"');
    assert.equal(contentDisposition('report.pdf', true), 'attachment; filename="report.pdf"');
    assert.equal(contentDisposition('résumé "v2".txt', true), `attachment; filename="r_sum_ _v2_.txt"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%22v2%22.txt`);
    assert.equal(contentDisposition('../../etc/passwd', true), 'attachment; filename=".._.._etc_passwd"');
  });
});

describe('Content-Disposition over HTTP', () => {
  let gw: GatewayFixture;
  let blobId: string;
  before(async () => {
    gw = await startGateway();
    blobId = (await gw.store(new TextEncoder().encode('hello'))).blobId;
  });
  after(() => gw.stop());

  test('query parameters set it; unknown parameters are ignored', async () => {
    const response = await fetch(`${gw.url}/v1/blobs/${blobId}?filename=h%C3%A9llo.txt&download=true&cb=12345`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-disposition'), `attachment; filename="h_llo.txt"; filename*=UTF-8''h%C3%A9llo.txt`);
    assert.equal(await response.text(), 'hello');
  });
});
