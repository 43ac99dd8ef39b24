/**
 * The validation worker thread (see `validation-pool.ts`): validates one document per message
 * and answers with its verdict, so that a large document never blocks the server's event loop.
 * Messages in: `{ id, document }`; out: `{ id, verdict }` or `{ id, error }`.
 */
import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import { documentVerdict } from './document-verdict.js';

// Validation is background work: on a busy machine the server's event loop should get the CPU
// first (measured on 2 loaded cores: /healthz max 30–200 ms → 22–26 ms during a maximal
// document). On Linux a thread is its own scheduling entity, so this lowers this worker thread
// only; elsewhere it would lower the whole server, so it is left alone.
if (process.platform === 'linux') {
  try {
    setPriority(0, 10);
  } catch {
    // a sandbox may forbid it: validation then competes as an equal, as before
  }
}

parentPort?.on('message', (message: { id: number; document: string }) => {
  try {
    parentPort?.postMessage({ id: message.id, verdict: documentVerdict(message.document) });
  } catch (err) {
    // a defect of the validator, not of the document: the pool logs it as such
    parentPort?.postMessage({ id: message.id, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  }
});
