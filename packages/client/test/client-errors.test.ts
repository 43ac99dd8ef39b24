import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { callRoute, FlotillaClientError, HttpClient } from '@flotilla/client';
import { apiRoutes, FlotillaError } from '@flotilla/protocol';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

/** A real HTTP server on loopback that answers every request with `handler`. */
async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** `GET /jobs/x` through the typed client. */
function getJob(http: HttpClient): Promise<unknown> {
  return callRoute(http, apiRoutes.jobs.get, { params: { id: 'x' } });
}

/** The error a request rejects with. */
async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail('the request succeeded'),
    (err: unknown) => err,
  );
}

/**
 * The client's own failures are `FlotillaClientError`s, a class apart from `FlotillaError` (a
 * problem the control plane answered with): a caller branching on `err.code` can never take a
 * dropped connection for a code the server sent.
 */
describe('client errors', () => {
  it('a problem the server answers with is a FlotillaError with its code', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(503, { 'content-type': 'application/problem+json' });
      res.end(
        JSON.stringify({
          type: 'about:blank',
          title: 'Service unavailable',
          status: 503,
          code: 'SERVICE_UNAVAILABLE',
          detail: 'busy',
        }),
      );
    });
    const err = await failure(getJob(new HttpClient({ baseUrl: url })));
    expect(err).toBeInstanceOf(FlotillaError);
    expect(err).toMatchObject({ code: 'SERVICE_UNAVAILABLE', message: 'busy' });
  });

  it('a server that cannot be reached is an `unreachable` client error, not a FlotillaError', async () => {
    const url = await serve(() => undefined);
    await new Promise((resolve) => servers.pop()?.close(resolve)); // nothing listens there now
    const err = await failure(getJob(new HttpClient({ baseUrl: url })));
    expect(err).toBeInstanceOf(FlotillaClientError);
    expect(err).not.toBeInstanceOf(FlotillaError);
    expect(err).toMatchObject({ kind: 'unreachable' });
  });

  it('a server that does not answer in time is a `timeout` client error', async () => {
    const url = await serve(() => undefined); // accepts, never answers
    const err = await failure(getJob(new HttpClient({ baseUrl: url, timeoutMs: 100 })));
    expect(err).toBeInstanceOf(FlotillaClientError);
    expect(err).toMatchObject({ kind: 'timeout' });
  });

  it('an answer that is not what the route returns is an `invalid-response` client error', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ not: 'a job' }));
    });
    const err = await failure(getJob(new HttpClient({ baseUrl: url })));
    expect(err).toBeInstanceOf(FlotillaClientError);
    expect(err).toMatchObject({ kind: 'invalid-response' });
  });
});
