/**
 * The `--blocklist` file: a YAML list of blob IDs (`- <id>` lines, `#` comments), as the
 * reference's `walrus-sdk/src/blocklist.rs` reads it. Loaded once at start-up, like the reference
 * aggregator; an invalid entry fails start-up naming the line.
 */
import { readFileSync } from 'node:fs';
import { parseBlobId } from '../codec/blob-id.ts';
import { ConfigError } from '../config.ts';

export class Blocklist {
  private constructor(private readonly ids: ReadonlySet<string>) {}

  static empty(): Blocklist {
    return new Blocklist(new Set());
  }

  static fromIds(ids: Iterable<string>): Blocklist {
    return new Blocklist(new Set(ids));
  }

  static load(path: string): Blocklist {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      throw new ConfigError(`--blocklist ${path} cannot be read: ${(error as Error).message}`);
    }
    const ids = new Set<string>();
    text.split('\n').forEach((line, i) => {
      const entry = line.replace(/#.*$/, '').trim();
      if (entry === '' || entry === '---' || entry === '[]') return;
      const id = entry.replace(/^-\s*/, '').replace(/^["']|["']$/g, '');
      try {
        parseBlobId(id);
      } catch (error) {
        throw new ConfigError(`--blocklist ${path}:${i + 1}: ${(error as Error).message}`);
      }
      ids.add(id);
    });
    return new Blocklist(ids);
  }

  has(blobId: string): boolean {
    return this.ids.has(blobId);
  }

  get size(): number {
    return this.ids.size;
  }
}
