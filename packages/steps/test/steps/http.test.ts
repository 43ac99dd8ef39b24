import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StepError } from '@flotilla/workflow';
import { httpStep } from '../../src/steps/http.js';
import { makeContext, expectStepError, stepTimeoutSignal } from '../helpers/context.js';
import { makeSelfSignedCert } from '../helpers/self-signed-cert.js';
import type { ContextOverrides } from '../helpers/context.js';

function route(req: IncomingMessage, res: ServerResponse, body: string): void {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const json = (status: number, value: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'set-cookie': ['a=1', 'b=2'] });
    res.end(JSON.stringify(value));
  };
  if (url.pathname === '/json') json(200, { ok: true, n: 1 });
  else if (url.pathname === '/echo') {
    json(201, { method: req.method, headers: req.headers, body, query: Object.fromEntries(url.searchParams) });
  } else if (url.pathname.startsWith('/status/')) {
    res.writeHead(Number(url.pathname.slice(8)), { 'content-type': 'text/plain' });
    res.end(`status ${url.pathname.slice(8)}`);
  } else if (url.pathname === '/text') res.end('hello world');
  else if (url.pathname === '/big') res.end('x'.repeat(5000));
  else if (url.pathname === '/redirect') {
    res.writeHead(302, { location: '/json' });
    res.end();
  } else if (url.pathname === '/slow') {
    const timer = setTimeout(() => res.end('late'), 5000);
    res.on('close', () => {
      clearTimeout(timer);
    });
  } else res.writeHead(404).end();
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve(`127.0.0.1:${(server.address() as AddressInfo).port}`);
    });
  });
}

function handler(req: IncomingMessage, res: ServerResponse): void {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (chunk: string) => (body += chunk));
  req.on('end', () => {
    route(req, res, body);
  });
}

let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer(handler);
  base = `http://${await listen(server)}`;
});

afterAll(() => {
  server.closeAllConnections();
  server.close();
});

async function runHttp(config: Record<string, unknown>, overrides: ContextOverrides = {}) {
  const test = makeContext(httpStep.configSchema.parse(config), overrides);
  const outcome = await httpStep.run(test.ctx);
  return { ...test, outputs: outcome.outputs };
}

function failure(config: Record<string, unknown>, overrides: ContextOverrides = {}): Promise<StepError> {
  return expectStepError(runHttp(config, overrides));
}

describe('http step', () => {
  it('GETs and parses a JSON body; headers are lower-case, set-cookie a list', async () => {
    const { outputs } = await runHttp({ url: `${base}/json` });
    expect(outputs.status).toBe(200);
    expect(outputs.body).toEqual({ ok: true, n: 1 });
    expect((outputs.headers as Record<string, unknown>)['content-type']).toMatch(/^application\/json/);
    expect((outputs.headers as Record<string, unknown>)['set-cookie']).toEqual(['a=1', 'b=2']);
    expect(typeof outputs.duration_ms).toBe('number');
  });

  it('keeps a non-JSON body as text', async () => {
    expect((await runHttp({ url: `${base}/text` })).outputs.body).toBe('hello world');
  });

  it('POSTs an object as JSON with the Idempotency-Key header and query parameters', async () => {
    const { outputs } = await runHttp(
      {
        url: `${base}/echo`,
        method: 'post',
        body: { name: 'web', n: 2 },
        query: { env: 'qa', n: 3 },
        expected_status: 201,
      },
      { runId: 'run-1', stepId: 'deploy', attempt: 2 },
    );
    const echoed = outputs.body as { method: string; headers: Record<string, string>; body: string; query: unknown };
    expect(echoed.method).toBe('POST');
    expect(JSON.parse(echoed.body)).toEqual({ name: 'web', n: 2 });
    expect(echoed.headers['content-type']).toBe('application/json');
    expect(echoed.headers['idempotency-key']).toBe('run-1:deploy:2');
    expect(echoed.query).toEqual({ env: 'qa', n: '3' });
  });

  it('sends no Idempotency-Key on GET and a string body as is', async () => {
    const get = await runHttp({ url: `${base}/echo`, expected_status: 201 });
    expect((get.outputs.body as { headers: Record<string, string> }).headers['idempotency-key']).toBeUndefined();
    const put = await runHttp({
      url: `${base}/echo`,
      method: 'PUT',
      body: 'plain=1',
      headers: { 'Content-Type': 'text/plain', 'Idempotency-Key': 'mine' },
      expected_status: [200, 201],
    });
    const echoed = put.outputs.body as { body: string; headers: Record<string, string> };
    expect(echoed.body).toBe('plain=1');
    expect(echoed.headers['idempotency-key']).toBe('mine');
  });

  it('fails an unexpected status: 4xx final, 5xx and 429 retryable, outputs kept', async () => {
    const notFound = await failure({ url: `${base}/status/404` });
    expect([notFound.code, notFound.retryable]).toEqual(['STEP_FAILED', false]);
    expect(notFound.outputs.status).toBe(404);
    const unavailable = await failure({ url: `${base}/status/503` });
    expect([unavailable.code, unavailable.retryable]).toEqual(['STEP_FAILED', true]);
    const limited = await failure({ url: `${base}/status/429` });
    expect(limited.retryable).toBe(true);
    const wrong = await failure({ url: `${base}/json`, expected_status: [201, 202] });
    expect([wrong.code, wrong.retryable]).toEqual(['STEP_FAILED', false]);
  });

  it('takes every answer with expected_status: any (the status is an output)', async () => {
    const notFound = await runHttp({ url: `${base}/status/404`, expected_status: 'any' });
    expect(notFound.outputs.status).toBe(404);
    const failed = await runHttp({ url: `${base}/status/503`, expected_status: 'any' });
    expect(failed.outputs.status).toBe(503);
  });

  it('checks expected_body_contains (not retryable)', async () => {
    await runHttp({ url: `${base}/text`, expected_body_contains: 'world' });
    const err = await failure({ url: `${base}/text`, expected_body_contains: 'mars' });
    expect([err.code, err.retryable]).toEqual(['STEP_FAILED', false]);
  });

  it('stops at the step timeout (config.timeout) with a retryable STEP_TIMEOUT', async () => {
    const started = Date.now();
    const err = await failure({ url: `${base}/slow` }, { signal: stepTimeoutSignal(200) });
    expect([err.code, err.retryable]).toEqual(['STEP_TIMEOUT', true]);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('stops when the step signal is aborted', async () => {
    const test = makeContext(httpStep.configSchema.parse({ url: `${base}/slow` }));
    setTimeout(() => {
      test.controller.abort();
    }, 100);
    const err: unknown = await httpStep.run(test.ctx).catch((e: unknown) => e);
    expect((err as StepError).code).toBe('CANCELLED');
  });

  it('follows redirects by default and can return the 3xx instead', async () => {
    expect((await runHttp({ url: `${base}/redirect` })).outputs.body).toEqual({ ok: true, n: 1 });
    const manual = await runHttp({ url: `${base}/redirect`, follow_redirects: false, expected_status: 302 });
    expect((manual.outputs.headers as Record<string, string>).location).toBe('/json');
  });

  it('caps the response size', async () => {
    const err = await failure({ url: `${base}/big`, max_response_bytes: 1000 });
    expect([err.code, err.retryable]).toEqual(['STEP_FAILED', false]);
  });

  it('reports a refused connection as retryable', async () => {
    const closed = createServer();
    const address = await listen(closed);
    closed.close();
    const err = await failure({ url: `http://${address}/` });
    expect([err.code, err.retryable]).toEqual(['STEP_FAILED', true]);
  });

  it('validates config: unknown fields, bad URLs, a body on GET', () => {
    const parse = (c: Record<string, unknown>) => httpStep.configSchema.safeParse(c).success;
    expect(parse({ url: `${base}/json`, metod: 'GET' })).toBe(false);
    expect(parse({ url: 'ftp://example.com/' })).toBe(false);
    expect(parse({ url: `${base}/json`, body: { a: 1 } })).toBe(false);
    expect(parse({ url: `${base}/json`, method: 'BREW' })).toBe(false);
  });

  it('is idempotent for GET/HEAD/OPTIONS and at-most-once otherwise', () => {
    const effect = (method: string) => httpStep.effect(httpStep.configSchema.parse({ url: `${base}/`, method }));
    expect(['GET', 'HEAD', 'OPTIONS'].map(effect)).toEqual(['idempotent', 'idempotent', 'idempotent']);
    expect(['POST', 'PUT', 'PATCH', 'DELETE'].map(effect)).toEqual(Array(4).fill('at-most-once'));
  });
});

describe('http step over TLS with a self-signed certificate', () => {
  let tls: Server | undefined;
  let tlsBase = '';

  beforeAll(async () => {
    const made = await makeSelfSignedCert();
    if (made === undefined) return;
    tls = createHttpsServer(made, handler);
    tlsBase = `https://${await listen(tls)}`;
  });

  afterAll(() => {
    tls?.closeAllConnections();
    tls?.close();
  });

  it('refuses the certificate by default (not retryable) and accepts it with insecure_skip_verify', async (t) => {
    if (tls === undefined) return t.skip();
    const err = await failure({ url: `${tlsBase}/json` });
    expect([err.code, err.retryable]).toEqual(['STEP_FAILED', false]);
    const { outputs } = await runHttp({ url: `${tlsBase}/json`, insecure_skip_verify: true });
    expect(outputs.body).toEqual({ ok: true, n: 1 });
  });
});
