import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { StepError } from '@flotilla/workflow';
import type { StepPolicy } from '@flotilla/workflow';
import { smtpStep } from '../../../src/steps/smtp/smtp-step.js';
import { expectStepError, linesOf, makeContext } from '../../helpers/context.js';
import type { ContextOverrides } from '../../helpers/context.js';
import { startSmtpPeer } from '../../helpers/smtp-peer.js';
import type { SmtpPeer, SmtpPeerOptions } from '../../helpers/smtp-peer.js';

const peers: SmtpPeer[] = [];
const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(peers.splice(0).map((peer) => peer.close()));
  for (const server of servers.splice(0)) server.close();
});

async function peer(options: SmtpPeerOptions = {}): Promise<SmtpPeer> {
  const started = await startSmtpPeer(options);
  peers.push(started);
  return started;
}

function send(config: Record<string, unknown>, overrides: ContextOverrides = {}) {
  const context = makeContext(smtpStep.configSchema.parse(config), overrides);
  return { ...context, result: smtpStep.run(context.ctx) };
}

/** A TCP server that accepts connections and never says a word (no SMTP greeting). */
async function silentServer(): Promise<{ port: number; sockets: Socket[] }> {
  const sockets: Socket[] = [];
  const server = createServer((socket) => {
    sockets.push(socket);
    socket.on('error', () => undefined);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, sockets };
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('smtp step: delivery', () => {
  it('delivers one message with the envelope, headers and bodies it was given', async () => {
    const server = await peer();
    const { result, lines } = send({
      host: server.host,
      port: server.port,
      from: 'Flotilla Bot <bot@example.com>',
      to: ['ops@example.com', '"Doe, Jane" <jane@example.com>'],
      cc: 'lead@example.com',
      bcc: ['audit@example.com'],
      reply_to: 'noreply@example.com',
      subject: 'Deploy of web 1.2.3 — done',
      body: 'All green.\nSee the run for details.',
      html: '<p>All <b>green</b>.</p>',
      headers: { 'X-Flotilla-Env': 'staging' },
      helo_name: 'probe-client.local',
    });
    const { outputs } = await result;

    expect(server.received).toHaveLength(1);
    const [got] = server.received;
    expect(got?.mailFrom).toBe('bot@example.com');
    expect(got?.rcptTo).toEqual(['ops@example.com', 'jane@example.com', 'lead@example.com', 'audit@example.com']);
    expect(got?.clientHostname).toBe('probe-client.local');
    expect(got?.secure).toBe(false);
    const mail = got?.mail;
    expect(mail?.from?.value).toEqual([{ address: 'bot@example.com', name: 'Flotilla Bot' }]);
    const to = Array.isArray(mail?.to) ? mail.to : [mail?.to];
    expect(to.flatMap((field) => field?.value ?? [])).toEqual([
      { address: 'ops@example.com', name: '' },
      { address: 'jane@example.com', name: 'Doe, Jane' },
    ]);
    expect(mail?.headers.get('cc')).toMatchObject({ text: 'lead@example.com' });
    // bcc recipients are in the envelope only
    expect(mail?.headers.has('bcc')).toBe(false);
    expect(got?.raw).not.toContain('audit@example.com');
    expect(mail?.replyTo?.text).toBe('noreply@example.com');
    expect(mail?.subject).toBe('Deploy of web 1.2.3 — done');
    expect(mail?.text).toBe('All green.\nSee the run for details.');
    expect(mail?.html).toBe('<p>All <b>green</b>.</p>');
    expect(mail?.headers.get('x-flotilla-env')).toBe('staging');
    expect(mail?.messageId).toBe('<flotilla.run-test.step-test.1@example.com>');

    expect(outputs).toEqual({
      accepted: ['ops@example.com', 'jane@example.com', 'lead@example.com', 'audit@example.com'],
      rejected: [],
      message_id: '<flotilla.run-test.step-test.1@example.com>',
      response: expect.stringMatching(/^250 /) as unknown,
      tls: false,
      duration_ms: expect.any(Number) as unknown,
    });
    expect(linesOf(lines, 'system')).toEqual([
      `smtp: connected to ${server.host}:${server.port} (not encrypted)`,
      expect.stringMatching(/^smtp: <flotilla\.run-test\.step-test\.1@example\.com> accepted for ops@example\.com, /),
    ]);
  });

  it('sends a one-recipient message with only a subject, and ids each attempt', async () => {
    const server = await peer();
    const { result } = send(
      { host: server.host, port: server.port, from: 'bot@example.com', to: 'ops@example.com', subject: 'ping' },
      { runId: 'r-42', stepId: 'notify[0]', attempt: 3 },
    );
    const { outputs } = await result;
    expect(outputs.message_id).toBe('<flotilla.r-42.notify-0-.3@example.com>');
    expect(server.received[0]?.mail.subject).toBe('ping');
    expect(server.received[0]?.mail.text ?? '').toBe('');
  });

  it('is at-most-once: an interrupted send is never repeated silently', () => {
    const config = smtpStep.configSchema.parse({ host: 'mail', from: 'a@b.org', to: 'c@d.org' });
    expect(smtpStep.effect(config)).toBe('at-most-once');
  });
});

describe('smtp step: refusals', () => {
  it('fails when a recipient is refused, after delivering to the others; the outputs list both', async () => {
    const server = await peer({ refuse: { 'gone@example.com': 550 } });
    const { result } = send({
      host: server.host,
      port: server.port,
      from: 'bot@example.com',
      to: ['ops@example.com', 'gone@example.com'],
      subject: 's',
      body: 'b',
    });
    const err = await expectStepError(result);
    expect(err.code).toBe('STEP_FAILED');
    // ops@ has the message: another attempt would send it twice
    expect(err.retryable).toBe(false);
    expect(err.message).toContain('gone@example.com');
    expect(err.outputs).toMatchObject({
      accepted: ['ops@example.com'],
      rejected: [{ address: 'gone@example.com', code: 550, response: expect.stringMatching(/^550 /) as unknown }],
      response: expect.stringMatching(/^250 /) as unknown,
    });
    expect(server.received.map((m) => m.rcptTo)).toEqual([['ops@example.com']]);
  });

  it('sends nothing when every recipient is refused; a 4xx refusal may be retried, a 5xx not', async () => {
    const server = await peer({ refuse: { 'later@example.com': 450, 'never@example.com': 550 } });
    const later = await expectStepError(
      send({ host: server.host, port: server.port, from: 'bot@example.com', to: 'later@example.com' }).result,
    );
    expect([later.code, later.retryable]).toEqual(['STEP_FAILED', true]);
    expect(later.outputs).toMatchObject({
      accepted: [],
      rejected: [{ address: 'later@example.com', code: 450 }],
    });
    const never = await expectStepError(
      send({ host: server.host, port: server.port, from: 'bot@example.com', to: 'never@example.com' }).result,
    );
    expect([never.code, never.retryable]).toEqual(['STEP_FAILED', false]);
    expect(never.outputs.rejected).toEqual([
      { address: 'never@example.com', code: 550, response: expect.stringMatching(/^550 /) as unknown },
    ]);
    expect(server.received).toEqual([]);
  });

  it('fails with a retryable STEP_FAILED when the connection is refused', async () => {
    const port = await closedPort();
    const err = await expectStepError(send({ host: '127.0.0.1', port, from: 'a@b.org', to: 'c@d.org' }).result);
    expect([err.code, err.retryable]).toEqual(['STEP_FAILED', true]);
    expect(err.message).toBe(`cannot reach 127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port}`);
  });
});

describe('smtp step: time limits', () => {
  it('gives up on a server that never greets after connect_timeout (STEP_TIMEOUT, retryable)', async () => {
    const silent = await silentServer();
    const started = performance.now();
    const err = await expectStepError(
      send({ host: '127.0.0.1', port: silent.port, from: 'a@b.org', to: 'c@d.org', connect_timeout: '300ms' }).result,
    );
    const elapsed = performance.now() - started;
    expect([err.code, err.retryable]).toEqual(['STEP_TIMEOUT', true]);
    expect(err.message).toContain('within 300 ms (connect_timeout)');
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(5_000);
    // the connection was dropped, not left open
    await expect.poll(() => silent.sockets.every((socket) => socket.destroyed || socket.readableEnded)).toBe(true);
  });

  it("stops at once when the step's signal aborts mid-send, with the abort's code", async () => {
    const holding: (() => void)[] = [];
    const server = await peer({
      server: {
        // takes the message and never answers it, like a server stuck in a content scan
        onData(stream, _session, callback) {
          stream.resume();
          holding.push(() => {
            callback();
          });
        },
      },
    });
    const { result, controller } = send({ host: server.host, port: server.port, from: 'a@b.org', to: 'c@d.org' });
    await expect.poll(() => holding.length).toBe(1);
    controller.abort(new StepError('STEP_TIMEOUT', 'the step timed out after 5m', { retryable: true }));
    const err = await expectStepError(result);
    expect([err.code, err.retryable]).toEqual(['STEP_TIMEOUT', true]);
    expect(err.outputs).toMatchObject({ accepted: [], message_id: expect.any(String) as unknown });
  });
});

describe('smtp step: the agent policy (http_destinations)', () => {
  const denyLoopback: Partial<StepPolicy> = {
    httpDestinations: { deny: ['127.0.0.0/8', '::1'], denyMetadata: false },
  };

  it('refuses a denied address before connecting (POLICY_DENIED)', async () => {
    const server = await peer();
    const err = await expectStepError(
      send({ host: server.host, port: server.port, from: 'a@b.org', to: 'c@d.org' }, { policy: denyLoopback }).result,
    );
    expect([err.code, err.retryable]).toEqual(['POLICY_DENIED', false]);
    expect(err.message).toContain('does not allow SMTP connections to 127.0.0.1');
    expect(server.received).toEqual([]);
  });

  it('checks the addresses a host name resolves to', async () => {
    const server = await peer();
    const err = await expectStepError(
      send({ host: 'localhost', port: server.port, from: 'a@b.org', to: 'c@d.org' }, { policy: denyLoopback }).result,
    );
    expect(err.code).toBe('POLICY_DENIED');
    expect(err.message).toMatch(/SMTP connections to localhost \((127\.0\.0\.1|::1)\)/);
  });

  it('lets an allowed destination through', async () => {
    const server = await peer();
    const { result } = send(
      { host: server.host, port: server.port, from: 'a@b.org', to: 'c@d.org' },
      { policy: { httpDestinations: { allow: ['127.0.0.1'], deny: [], denyMetadata: true } } },
    );
    await result;
    expect(server.received).toHaveLength(1);
    const outside = await expectStepError(
      send(
        { host: server.host, port: server.port, from: 'a@b.org', to: 'c@d.org' },
        { policy: { httpDestinations: { allow: ['10.0.0.0/8'], deny: [], denyMetadata: false } } },
      ).result,
    );
    expect(outside.code).toBe('POLICY_DENIED');
    expect(server.received).toHaveLength(1);
  });
});
