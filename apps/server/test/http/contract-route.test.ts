import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { defineRoute, IdParamsSchema, media, noBody, problem } from '@flotilla/protocol';
import { compileServerOptions } from '@flotilla/server';
import { respond, route } from '../../src/http/contract-route.js';
import { errorHandlerPlugin } from '../../src/http/error-handler-plugin.js';
import { responseContractPlugin } from '../../src/http/response-contract-plugin.js';
import { LogCollector, startTestServer } from '../helpers/server.js';

/*
 * `route()` holds a handler to its contract twice: the compiler refuses a return the contract
 * does not declare (the `@ts-expect-error` lines below fail `npm run typecheck` if it ever
 * accepts one), and `checkResponses` (on in every test server) turns a response that breaks the
 * contract on the wire into a 500 whose log names what broke.
 */

const WidgetSchema = z.object({ id: z.string(), name: z.string() });
const getWidget = defineRoute({
  method: 'GET',
  path: '/api/v1/widgets/:id',
  summary: 'test contract',
  permission: 'public',
  params: IdParamsSchema,
  query: z.strictObject({ verbose: z.enum(['0', '1']).optional() }),
  responses: { 200: WidgetSchema, 404: problem },
});
const setWidget = defineRoute({
  method: 'POST',
  path: '/api/v1/widgets',
  summary: 'test contract',
  permission: 'public',
  body: z.strictObject({ name: z.string().default('unnamed') }),
  bodyOptional: true,
  responses: { 200: WidgetSchema, 201: WidgetSchema },
});
const deleteWidget = defineRoute({
  method: 'DELETE',
  path: '/api/v1/widgets/:id',
  summary: 'test contract',
  permission: 'public',
  params: IdParamsSchema,
  responses: { 204: noBody },
});
const exportWidgets = defineRoute({
  method: 'GET',
  path: '/api/v1/widgets/export',
  summary: 'test contract',
  permission: 'public',
  responses: { 200: media('application/x-ndjson', 'one widget per line') },
});

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

/** An app with the server's error handler, the response check when `check`, and `register`'s routes. */
async function build(
  check: boolean,
  register: (app: FastifyInstance) => void,
): Promise<{ app: FastifyInstance; logs: LogCollector }> {
  const logs = new LogCollector();
  app = Fastify({ logger: { level: 'error', stream: logs } });
  await app.register(errorHandlerPlugin);
  if (check) await app.register(responseContractPlugin);
  register(app);
  await app.ready();
  return { app, logs };
}

/**
 * Compile-time checks, never run: each line must be refused by the compiler, and `npm run
 * typecheck` fails on an `@ts-expect-error` that no longer finds an error.
 */
export function handlersAreHeldToTheirContracts(a: FastifyInstance): void {
  // @ts-expect-error a field of the wrong type
  route(a, getWidget, () => ({ id: 'w1', name: 42 }));
  // @ts-expect-error a required field missing
  route(a, getWidget, () => ({ id: 'w1' }));
  // @ts-expect-error several statuses are declared: the handler must say which one
  route(a, setWidget, () => ({ id: 'w1', name: 'a' }));
  // @ts-expect-error 202 is not declared
  route(a, setWidget, () => respond(202, { id: 'w1', name: 'a' }));
  // @ts-expect-error 204 declares no body
  route(a, deleteWidget, () => ({ gone: true }));
  // @ts-expect-error only a route that declares a stream or file may send the reply itself
  route(a, getWidget, ({ reply }) => reply.send({ id: 'w1', name: 'a' }));
  // @ts-expect-error a route that declares a stream sends it: a JSON body is not declared
  route(a, exportWidgets, () => ({ id: 'w1' }));
}

describe('route(): a response that breaks its contract', () => {
  // The wrong handlers are cast past the compiler: this is what a handler typed `any` could do.
  const wrongBody = (() => ({ id: 'w1', name: 42 })) as never;

  it('fails the request (500 INTERNAL) and logs what broke, with the response check on', async () => {
    const { app, logs } = await build(true, (a) => route(a, getWidget, wrongBody));
    const res = await app.inject({ method: 'GET', url: '/api/v1/widgets/w1' });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toMatchObject({ code: 'INTERNAL' });
    expect(res.body).not.toContain('42');
    expect(logs.text()).toMatch(
      /GET \/api\/v1\/widgets\/:id breaks its contract: name: Invalid input: expected string/,
    );
  });

  it('is sent as it is without the check: the check is what catches it', async () => {
    const { app } = await build(false, (a) => route(a, getWidget, wrongBody));
    const res = await app.inject({ method: 'GET', url: '/api/v1/widgets/w1' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ id: 'w1', name: 42 });
  });

  it('catches a field the schema does not declare (it would leak past a stripping parse)', async () => {
    const leaky = (() => ({ id: 'w1', name: 'a', passwordHash: 'x' })) as never;
    const { app, logs } = await build(true, (a) => route(a, getWidget, leaky));
    expect((await app.inject({ method: 'GET', url: '/api/v1/widgets/w1' })).statusCode).toBe(500);
    expect(logs.text()).toContain('passwordHash: not declared by the schema');
  });

  it('catches an undeclared status, a body on 204, and the wrong media type', async () => {
    const { app, logs } = await build(true, (a) => {
      route(a, setWidget, (() => respond(202, { id: 'w1', name: 'a' })) as never);
      route(a, deleteWidget, (() => respond(204, { gone: true })) as never);
      route(a, exportWidgets, (({ reply }: { reply: { send: (body: unknown) => unknown } }) =>
        reply.send({ not: 'ndjson' })) as never);
    });
    expect((await app.inject({ method: 'POST', url: '/api/v1/widgets', payload: {} })).statusCode).toBe(500);
    expect((await app.inject({ method: 'DELETE', url: '/api/v1/widgets/w1' })).statusCode).toBe(500);
    expect((await app.inject({ method: 'GET', url: '/api/v1/widgets/export' })).statusCode).toBe(500);
    expect(logs.text()).toContain('status 202 is not declared');
    expect(logs.text()).toContain('no body is declared');
    expect(logs.text()).toContain('is not the declared application/x-ndjson');
  });

  it('lets responses that keep the contract through, streams included', async () => {
    const { app } = await build(true, (a) => {
      route(a, getWidget, ({ params, query }) => ({
        id: params.id,
        name: query.verbose === '1' ? 'verbose' : 'terse',
      }));
      route(a, setWidget, ({ body }) =>
        body.name === 'new' ? respond(201, { id: 'w2', name: body.name }) : respond(200, { id: 'w1', name: body.name }),
      );
      route(a, deleteWidget, () => undefined);
      route(a, exportWidgets, ({ reply }) => reply.type('application/x-ndjson').send(Readable.from(['{"id":"w1"}\n'])));
    });
    expect((await app.inject({ method: 'GET', url: '/api/v1/widgets/w1?verbose=1' })).json()).toEqual({
      id: 'w1',
      name: 'verbose',
    });
    expect((await app.inject({ method: 'POST', url: '/api/v1/widgets', payload: { name: 'new' } })).statusCode).toBe(
      201,
    );
    // `bodyOptional`: no body is an empty one, with the schema's defaults.
    const noBodyGiven = await app.inject({ method: 'POST', url: '/api/v1/widgets' });
    expect([noBodyGiven.statusCode, noBodyGiven.json()]).toEqual([200, { id: 'w1', name: 'unnamed' }]);
    expect((await app.inject({ method: 'DELETE', url: '/api/v1/widgets/w1' })).statusCode).toBe(204);
    const exported = await app.inject({ method: 'GET', url: '/api/v1/widgets/export' });
    expect([exported.statusCode, exported.body]).toEqual([200, '{"id":"w1"}\n']);
  });
});

describe('route(): input and types', () => {
  it('parses params, query and body with the contract, naming every problem as VALIDATION_FAILED', async () => {
    const { app } = await build(true, (a) => {
      route(a, getWidget, ({ params }) => ({ id: params.id, name: 'x' }));
      route(a, setWidget, ({ body }) => respond(200, { id: 'w', name: body.name }));
    });
    const badQuery = await app.inject({ method: 'GET', url: '/api/v1/widgets/w1?verbose=2&extra=1' });
    expect(badQuery.statusCode).toBe(400);
    expect(badQuery.json()).toMatchObject({
      code: 'VALIDATION_FAILED',
      errors: [
        { path: 'verbose', in: 'query' },
        { path: 'extra', in: 'query', message: 'unknown field' },
      ],
    });
    const badBody = await app.inject({ method: 'POST', url: '/api/v1/widgets', payload: { name: 3 } });
    expect(badBody.json()).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ path: 'name', in: 'body' }] });
  });

  it('refuses, at run time, a plain return where the contract declares several statuses', async () => {
    const { app, logs } = await build(false, (a) => route(a, setWidget, (() => ({ id: 'w1', name: 'a' })) as never));
    expect((await app.inject({ method: 'POST', url: '/api/v1/widgets', payload: {} })).statusCode).toBe(500);
    expect(logs.text()).toContain('declares several statuses: answer with respond(status, body)');
  });
});

describe('checkResponses', () => {
  it('is on in the test servers and off by default', async () => {
    const t = await startTestServer();
    try {
      expect(t.server.app.hasPlugin('flotilla-response-contracts')).toBe(true);
    } finally {
      await t.close();
    }
    expect(compileServerOptions({}).checkResponses).toBe(false);
    expect(compileServerOptions({ env: { FLOTILLA_CHECK_RESPONSES: '1' } }).checkResponses).toBe(true);
    const plain = await startTestServer({ checkResponses: false });
    try {
      expect(plain.server.app.hasPlugin('flotilla-response-contracts')).toBe(false);
    } finally {
      await plain.close();
    }
  });
});
