/**
 * Blob attributes and quilt tags as headers: the allow-list by default; with every tag allowed
 * (`--allow-quilt-patch-tags-in-response`), still never a header that frames the message or acts
 * on the gateway's whole origin, and never an illegal name or value.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { attributeHeaders } from '../../src/http/attribute-headers.ts';
import { DEFAULT_ALLOWED_HEADERS } from '../../src/config.ts';

const TAGS = {
  'Content-Type': 'text/plain',
  'content-language': 'en',
  creator: 'walrus',
  'x-custom': 'yes',
  'content-length': '1',
  'transfer-encoding': 'chunked',
  'set-cookie': 'a=b',
  'strict-transport-security': 'max-age=31536000',
  'clear-site-data': '"*"',
  location: 'https://example.com',
  'access-control-allow-origin': '*',
  'bad name': 'x',
  'x-newline': 'a\r\nb',
};

describe('attribute and tag headers', () => {
  test('only allow-listed names, case-insensitively, by default', () => {
    assert.deepEqual(attributeHeaders(TAGS, DEFAULT_ALLOWED_HEADERS), { 'content-type': 'text/plain', 'content-language': 'en' });
  });

  test('every tag when allowed, except framing and origin-wide headers and illegal names or values', () => {
    assert.deepEqual(attributeHeaders(TAGS, 'all'), { 'content-type': 'text/plain', 'content-language': 'en', creator: 'walrus', 'x-custom': 'yes' });
  });
});
