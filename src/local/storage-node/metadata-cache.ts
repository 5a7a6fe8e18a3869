import type { BlobMetadata } from '../../codec/metadata.ts';

/**
 * Verified metadata of recently written blobs, so that a burst of sliver uploads (up to n per
 * blob) parses the blob's metadata once instead of once per sliver. Least recently used first out.
 */
const DEFAULT_CAPACITY = 64;

export class MetadataCache {
  private readonly entries = new Map<string, BlobMetadata>();

  constructor(private readonly capacity = DEFAULT_CAPACITY) {}

  get(blobId: string): BlobMetadata | undefined {
    const metadata = this.entries.get(blobId);
    if (metadata) {
      this.entries.delete(blobId);
      this.entries.set(blobId, metadata);
    }
    return metadata;
  }

  set(blobId: string, metadata: BlobMetadata): void {
    this.entries.delete(blobId);
    this.entries.set(blobId, metadata);
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
  }

  delete(blobId: string): void {
    this.entries.delete(blobId);
  }
}
