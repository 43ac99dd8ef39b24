import { createServer } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { httpStep } from '../../src/steps/http.js';
import { expectStepError, makeContext } from '../helpers/context.js';
import type { ContextOverrides } from '../helpers/context.js';

/*
 * Finding 10 of the hardening issue: the http step forwarded custom headers built from secrets
 * (X-Api-Key) to a redirect target on another origin; only Authorization was dropped. Two real
 * local servers on different ports are two origins: `first` redirects to `other`, which records
 * what it received.
 */

interface Received {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

function listen(server: Server, host: string): Promise<string> {
  return new Promise((resolve) => {
    server.listen(0, host, () => {
      resolve(`http://${host}:${(server.address() as AddressInfo).port}`);
    });
  });
}

/** A server that records every request: `/to?url=…&status=…` redirects, `/loop` redirects to itself. */
function recordingServer(received: Received[]): Server {
  return createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      received.push({ method: req.method ?? '', path: url.pathname, headers: req.headers, body });
      if (url.pathname === '/loop') {
        res.writeHead(302, { location: '/loop' });
        res.end();
      } else if (url.pathname === '/to') {
        res.writeHead(Number(url.searchParams.get('status') ?? 302), { location: url.searchParams.get('url') ?? '/' });
        res.end();
      } else {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ path: url.pathname }));
      }
    });
  });
}

const firstReceived: Received[] = [];
const otherReceived: Received[] = [];
const first = recordingServer(firstReceived);
const other = recordingServer(otherReceived);
let firstBase = '';
let otherBase = '';

beforeAll(async () => {
  firstBase = await listen(first, '127.0.0.1');
  otherBase = await listen(other, '127.0.0.1');
});

afterAll(() => {
  for (const server of [first, other]) {
    server.closeAllConnections();
    server.close();
  }
});

beforeEach(() => {
  firstReceived.length = 0;
  otherReceived.length = 0;
});

const SECRET = 'sk-live-7f3a9c2e';
/** The run's secrets, as the engine gives them to steps (`ctx.env`). */
const secrets: ContextOverrides = { env: { API_KEY: SECRET } };

async function runHttp(config: Record<string, unknown>, overrides: ContextOverrides = secrets) {
  const test = makeContext(httpStep.configSchema.parse(config), overrides);
  return (await httpStep.run(test.ctx)).outputs;
}

const via = (target: string, status = 302) => `${firstBase}/to?status=${status}&url=${encodeURIComponent(target)}`;

describe('http step redirects to another origin', () => {
  it('drops every header built from a secret, cookies and credentials; keeps the harmless ones', async () => {
    const outputs = await runHttp({
      url: via(`${otherBase}/landed`),
      headers: {
        'X-Api-Key': SECRET,
        'X-Signature': `v1=${SECRET}`,
        Authorization: `Bearer ${SECRET}`,
        Cookie: 'session=abc',
        'X-Team': 'payments',
        Accept: 'application/json',
        'User-Agent': 'flotilla-test',
      },
    });
    expect(outputs.body).toEqual({ path: '/landed' });
    // the first origin got everything it was sent
    expect(firstReceived[0]?.headers).toMatchObject({ 'x-api-key': SECRET, cookie: 'session=abc' });
    const landed = otherReceived[0]?.headers ?? {};
    expect(landed['x-api-key']).toBeUndefined();
    expect(landed['x-signature']).toBeUndefined();
    expect(landed.authorization).toBeUndefined();
    expect(landed.cookie).toBeUndefined();
    // a custom header is dropped too: whether it carries a credential cannot be known
    expect(landed['x-team']).toBeUndefined();
    expect(landed).toMatchObject({ accept: 'application/json', 'user-agent': 'flotilla-test' });
    expect(JSON.stringify(landed)).not.toContain(SECRET);
  });

  it('drops a safelisted header too when its value holds a secret', async () => {
    await runHttp({ url: via(`${otherBase}/landed`), headers: { 'User-Agent': `agent/${SECRET}` } });
    expect(otherReceived[0]?.headers['user-agent']).not.toContain(SECRET);
  });

  it('keeps every header on a redirect within the same origin', async () => {
    await runHttp({ url: via(`${firstBase}/same`), headers: { 'X-Api-Key': SECRET, Cookie: 'session=abc' } });
    expect(firstReceived.map((r) => r.path)).toEqual(['/to', '/same']);
    expect(firstReceived[1]?.headers).toMatchObject({ 'x-api-key': SECRET, cookie: 'session=abc' });
  });

  it('does not resend a body holding a secret to another origin (307), and sends nothing there', async () => {
    const err = await expectStepError(
      runHttp({ url: via(`${otherBase}/landed`, 307), method: 'POST', body: { password: SECRET } }),
    );
    expect([err.code, err.retryable]).toEqual(['STEP_FAILED', false]);
    expect(otherReceived).toEqual([]);
  });

  it('follows 303 as GET without the body, and a 307 without secrets keeps method and body', async () => {
    await runHttp({ url: via(`${otherBase}/see-other`, 303), method: 'POST', body: { a: 1 } });
    expect(otherReceived[0]).toMatchObject({ method: 'GET', path: '/see-other', body: '' });
    expect(otherReceived[0]?.headers['content-type']).toBeUndefined();
    await runHttp({ url: via(`${otherBase}/temporary`, 307), method: 'PUT', body: { a: 1 } });
    expect(otherReceived[1]).toMatchObject({ method: 'PUT', path: '/temporary', body: '{"a":1}' });
    expect(otherReceived[1]?.headers['content-type']).toBe('application/json');
  });

  it('with follow_redirects: false, returns the 3xx and contacts nobody else', async () => {
    const outputs = await runHttp({
      url: via(`${otherBase}/landed`),
      follow_redirects: false,
      expected_status: 302,
      headers: { 'X-Api-Key': SECRET },
    });
    expect(outputs.status).toBe(302);
    expect(otherReceived).toEqual([]);
  });

  it('stops after 20 redirects (not retryable)', async () => {
    const err = await expectStepError(runHttp({ url: `${firstBase}/loop` }));
    expect([err.code, err.retryable]).toEqual(['STEP_FAILED', false]);
    expect(firstReceived).toHaveLength(21);
  });
});
