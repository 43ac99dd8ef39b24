import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/**
 * JSON is the only request media type: `text/plain` (a Fastify default) is removed so such a
 * request gets 415. An empty body sent as `application/json` (common for action POSTs such as
 * approve/logout) parses to `undefined`; routes that need a body then fail schema validation.
 */
export const bodyParsersPlugin = fp(
  (app: FastifyInstance) => {
    const parseJson = app.getDefaultJsonParser('error', 'error');
    app.removeContentTypeParser(['application/json', 'text/plain']);
    app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
      const text = typeof body === 'string' ? body : body.toString('utf8');
      if (text.trim() === '') {
        done(null, undefined);
        return;
      }
      void parseJson(request, text, done);
    });
  },
  { name: 'flotilla-body-parsers' },
);
