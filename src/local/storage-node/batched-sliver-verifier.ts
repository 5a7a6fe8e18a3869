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

/**
 * Verifies slivers in batches: those of one blob that arrive in the same turn of the event loop
 * share one Reed–Solomon call per sliver type. A publisher sends a node hundreds of slivers at a
 * time, and re-encoding one small sliver alone costs about as much as re-encoding a dozen together.
 */
export class BatchedSliverVerifier {
  private waiting = new Map<BlobMetadata, { params: EncodingParams; slivers: Waiting[] }>();
  private scheduled = false;

  constructor(private readonly kernel: CodecKernel) {}

  /** Resolves when the sliver matches the metadata; rejects with {@link InvalidSliverError} when not. */
  verify(sliver: Sliver, metadata: BlobMetadata, params: EncodingParams): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let batch = this.waiting.get(metadata);
      if (batch === undefined) {
        batch = { params, slivers: [] };
        this.waiting.set(metadata, batch);
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
    for (const [metadata, { params, slivers }] of batches) {
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
