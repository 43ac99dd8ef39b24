import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { contractBreaches } from './contract-breaches.js';

/**
 * A response that breaks its route's contract: a programming error of the server, never a wire
 * error. The error handler answers it as `500 INTERNAL` and logs it, so the test that caused it fails.
 */
export class ContractViolationError extends Error {
  constructor(
    route: string,
    readonly breaches: readonly string[],
  ) {
    super(`response of ${route} breaks its contract: ${breaches.join('; ')}`);
    this.name = 'ContractViolationError';
  }
}

function payloadText(payload: unknown): string | undefined {
  if (payload === null || payload === undefined) return '';
  if (typeof payload === 'string') return payload;
  if (Buffer.isBuffer(payload)) return payload.toString('utf8');
  return undefined; // a stream: its media type is checked, its bytes are not read
}

/**
 * `checkResponses` (on in tests, off in production): every response of a route registered from a
 * contract is checked on the wire against the contract's declared responses, and one that breaks
 * it becomes an error. Registered before the routes, as its hook must cover them all.
 */
export const responseContractPlugin = fp(
  (app: FastifyInstance) => {
    app.addHook('onSend', (request, reply, payload, done) => {
      const contract = request.routeOptions.config.contract;
      if (contract === undefined) {
        done(null, payload);
        return;
      }
      const contentType = reply.getHeader('content-type');
      const breaches = contractBreaches(contract, {
        status: reply.statusCode,
        contentType: typeof contentType === 'string' ? contentType : '',
        text: payloadText(payload),
      });
      if (breaches.length === 0) done(null, payload);
      else done(new ContractViolationError(`${contract.method} ${contract.path}`, breaches));
    });
  },
  { name: 'flotilla-response-contracts' },
);
