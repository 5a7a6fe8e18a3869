import type { InvalidSliverError } from '../../codec/errors.ts';
import type { CodecKernel } from '../../codec/kernel/kernel.ts';
import type { BlobMetadata } from '../../codec/metadata.ts';
import type { EncodingParams } from '../../codec/params.ts';
import type { Sliver } from '../../codec/sliver.ts';
import { verifySlivers } from '../../codec/verify-sliver.ts';

interface Waiting {
  readonly sliver: Sliver;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

interface Batch {
  readonly metadata: BlobMetadata;
  readonly params: EncodingParams;
  readonly slivers: Waiting[];
}

/**
 * Verifies slivers in batches: those of one blob that arrive in the same turn of the event loop
 * share one Reed–Solomon call per sliver type. A publisher sends a node hundreds of slivers at a
 * time, and re-encoding one small sliver alone costs about as much as re-encoding a dozen together.
 *
 * One verifier may serve every node of a process (the local network's ten nodes share one), so
 * that a batch holds what all of them received: batches are keyed by blob ID, and each node
 * passes metadata it verified against that ID — the ID commits to the sliver hashes, so any
 * node's verified metadata of one blob check a sliver alike.
 */
export class BatchedSliverVerifier {
  private waiting = new Map<string, Batch>();
  private scheduled = false;

  constructor(private readonly kernel: CodecKernel) {}

  /**
   * Resolves when the sliver matches `metadata` (verified against blob `blobId`); rejects with
   * {@link InvalidSliverError} when not.
   */
  verify(blobId: string, sliver: Sliver, metadata: BlobMetadata, params: EncodingParams): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let batch = this.waiting.get(blobId);
      if (batch === undefined) {
        batch = { metadata, params, slivers: [] };
        this.waiting.set(blobId, batch);
      }
      batch.slivers.push({ sliver, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    const batches = this.waiting;
    this.waiting = new Map();
    this.scheduled = false;
    for (const { metadata, params, slivers } of batches.values()) {
      let results: (InvalidSliverError | null)[];
      try {
        results = verifySlivers(
          slivers.map((waiting) => waiting.sliver),
          metadata,
          params,
          this.kernel,
        );
      } catch (error) {
        for (const waiting of slivers) waiting.reject(error);
        continue;
      }
      slivers.forEach((waiting, i) => (results[i] ? waiting.reject(results[i]) : waiting.resolve()));
    }
  }
}
