// @ts-check
/**
 * The web console's entry point: the page says which halves this gateway serves (`data-upload`,
 * `data-lookup` on `<body>`, written by the server from its mode), and each half is wired here.
 */
import { setUpLookup } from './lookup.js';
import { setUpUpload } from './upload.js';

const { upload, lookup, maxBodySize } = document.body.dataset;
const lookUp = lookup === 'true' ? setUpLookup() : undefined;
if (upload === 'true') {
  setUpUpload({ maxBodySize: maxBodySize ? Number(maxBodySize) : undefined, canRead: lookup === 'true', lookUp });
}
document.body.dataset.ready = 'true';
