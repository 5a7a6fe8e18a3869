/**
 * A codec worker thread (`codec-workers.ts` starts and feeds it): loads the kernel this process
 * would choose, says it is ready, then runs one job at a time, in order, and answers each with its
 * result (big buffers transferred) or the error it threw. A `cancel` stops the running job if it
 * awaits (a file encode, between stripes); it is answered like any other failure.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parentPort } from 'node:worker_threads';
import { jobBytes, jobFailure, runJob, transferables, type JobMessage, type WorkerMessage } from './codec-jobs.ts';
import { selectKernel } from './kernel/select-kernel.ts';

/**
 * Jobs this large are followed by a full garbage collection of this thread. An idle isolate never
 * collects, so a large encode's scratch (stripes, work arrays, 32·n² bytes of leaf hashes) would
 * otherwise stay in memory after the job — through the whole upload that follows it.
 */
const COLLECT_AFTER_BYTES = 16 * 1024 * 1024;
// The one way to ask V8 for a collection without starting the process with --expose-gc.
setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;

const port = parentPort;
if (!port) throw new Error('codec-worker.ts runs only as a worker thread');
const kernel = selectKernel();
const post = (message: WorkerMessage, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);
const done = (result: unknown) => post({ kind: 'done', result }, transferables(result));
const failed = (error: unknown) => post({ kind: 'failed', error: jobFailure(error) });
/** The running job's cancellation. */
let running: AbortController | undefined;

port.on('message', (message: JobMessage) => {
  if (message.kind === 'cancel') {
    running?.abort(new Error('the job was cancelled'));
    return;
  }
  const controller = new AbortController();
  const afterwards = () => {
    if (jobBytes(message.job) >= COLLECT_AFTER_BYTES) collect();
  };
  let result;
  try {
    result = runJob(message.job, kernel, controller.signal);
  } catch (error) {
    failed(error);
    afterwards();
    return;
  }
  if (!(result instanceof Promise)) {
    done(result);
    afterwards();
    return;
  }
  running = controller;
  result
    .then(done, failed)
    .finally(() => {
      if (running === controller) running = undefined;
    })
    .then(afterwards);
});
post({ kind: 'ready' });
