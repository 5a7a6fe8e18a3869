import { Worker } from 'node:worker_threads';

/**
 * BLS signing for the storage nodes of this process on a thread of its own. A signature costs
 * ~7 ms of curve arithmetic; on the event loop that serves every node's sliver uploads, ten
 * confirmations per blob would stall them all, while a thread signs beside them.
 */
export interface SigningRequest {
  readonly id: number;
  readonly message: Uint8Array;
  readonly secretKey: Uint8Array;
}

export type SigningResponse = { readonly id: number; readonly signature: Uint8Array } | { readonly id: number; readonly error: string };

class SigningThread {
  private worker: Worker | undefined;
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (signature: Uint8Array) => void; reject: (error: Error) => void }>();

  sign(message: Uint8Array, secretKey: Uint8Array): Promise<Uint8Array> {
    const worker = this.start();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      if (this.pending.size === 1) worker.ref();
      worker.postMessage({ id, message, secretKey } satisfies SigningRequest);
    });
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = startWorker(new URL('./signing-thread-worker', import.meta.url));
    // Idle, the thread must not keep the process alive.
    worker.unref();
    worker.on('message', (response: SigningResponse) => {
      const waiting = this.pending.get(response.id);
      if (!waiting) return;
      this.pending.delete(response.id);
      if (this.pending.size === 0) worker.unref();
      if ('error' in response) waiting.reject(new Error(`signing failed: ${response.error}`));
      else waiting.resolve(response.signature);
    });
    const fail = (error: Error) => {
      this.worker = undefined;
      for (const waiting of this.pending.values()) waiting.reject(error);
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the signing thread exited with code ${code}`)));
    this.worker = worker;
    return worker;
  }
}

/** The one signing thread of this process, started on first use. */
export const signingThread = new SigningThread();

/**
 * Runs the module at `base` (+ the extension of this module) in a worker. From the TypeScript
 * sources (under tsx) the worker registers tsx itself first: `--import` does not reach workers.
 */
function startWorker(base: URL): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL(`${base.href}.js`));
  const tsx = import.meta.resolve('tsx/esm/api');
  const code = `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(`${base.href}.ts`)}); });`;
  return new Worker(code, { eval: true });
}
