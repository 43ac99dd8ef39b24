import type { FastifyBaseLogger } from 'fastify';
import { WORKFLOW_LIMITS } from '@flotilla/workflow';
import { documentVerdict } from './document-verdict.js';
import type { DocumentVerdict } from './document-verdict.js';
import { ValidationPool } from './validation-pool.js';
import type { ValidationPoolOptions } from './validation-pool.js';

/**
 * Documents up to this many characters are validated inline; larger ones in the validation
 * worker. Measured (`npm run bench:validation`, docs/performance.md "Workflow validation"): a
 * worker round trip costs the event loop 0.2 ms; validating 4 KiB inline costs it 1.5–7 ms
 * (steps) and up to 27 ms (a dense flow list) on a loaded 2-core machine, and most documents
 * (a few steps, under 2 KiB) well under 1 ms. Smaller documents stay inline so that job
 * submission does not queue behind one worker.
 */
export const INLINE_MAX_CHARS = 4 * 1024;

export interface DocumentCheckerOptions extends Omit<ValidationPoolOptions, 'logger'> {
  logger: Pick<FastifyBaseLogger, 'error'>;
  /** @default INLINE_MAX_CHARS */
  inlineMaxChars?: number | undefined;
}

/**
 * The server's one way to validate a workflow document: small ones inline, large ones off the
 * event loop, every one within `WORKFLOW_LIMITS`.
 */
export class DocumentChecker {
  readonly #pool: ValidationPool;
  readonly #inlineMaxChars: number;

  constructor(options: DocumentCheckerOptions) {
    this.#pool = new ValidationPool(options);
    this.#inlineMaxChars = options.inlineMaxChars ?? INLINE_MAX_CHARS;
  }

  check(document: string): Promise<DocumentVerdict> {
    // over the size limit the answer needs no parsing: no need to copy megabytes to a worker
    if (document.length <= this.#inlineMaxChars || document.length > WORKFLOW_LIMITS.maxChars) {
      return Promise.resolve(documentVerdict(document));
    }
    return this.#pool.validate(document);
  }

  close(): void {
    this.#pool.close();
  }
}
