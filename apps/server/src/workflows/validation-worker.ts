/**
 * The validation worker thread (see `validation-pool.ts`): validates one document per message
 * and answers with its verdict, so that a large document never blocks the server's event loop.
 * Messages in: `{ id, document }`; out: `{ id, verdict }` or `{ id, error }`.
 */
import { parentPort } from 'node:worker_threads';
import { documentVerdict } from './document-verdict.js';

parentPort?.on('message', (message: { id: number; document: string }) => {
  try {
    parentPort?.postMessage({ id: message.id, verdict: documentVerdict(message.document) });
  } catch (err) {
    // a defect of the validator, not of the document: the pool logs it as such
    parentPort?.postMessage({ id: message.id, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  }
});
