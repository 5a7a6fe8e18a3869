// Copies the web console's browser files (plain ES modules, CSS, the page, an icon) next to the
// compiled server code, so dist/console/console-assets.js finds them where src/ has them.
import { cpSync, rmSync } from 'node:fs';
import { extname } from 'node:path';

const from = new URL('../src/console/static/', import.meta.url);
const to = new URL('../dist/console/static/', import.meta.url);
const SHIPPED = new Set(['', '.html', '.js', '.css', '.svg']);

rmSync(to, { recursive: true, force: true });
cpSync(from, to, { recursive: true, filter: (source) => SHIPPED.has(extname(source)) });
