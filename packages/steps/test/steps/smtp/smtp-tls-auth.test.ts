import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { smtpStep } from '../../../src/steps/smtp/smtp-step.js';
import { expectStepError, makeContext } from '../../helpers/context.js';
import type { LoggedLine } from '../../helpers/context.js';
import { makeSelfSignedCert } from '../../helpers/self-signed-cert.js';
import type { SelfSignedCert } from '../../helpers/self-signed-cert.js';
import { startSmtpPeer } from '../../helpers/smtp-peer.js';
import type { SmtpPeer, SmtpPeerOptions } from '../../helpers/smtp-peer.js';

const PASSWORD = 'pw-7fa1-correct';
let cert: SelfSignedCert | undefined;
beforeAll(async () => {
  cert = await makeSelfSignedCert();
});

const peers: SmtpPeer[] = [];
afterEach(async () => {
  await Promise.all(peers.splice(0).map((peer) => peer.close()));
});

/** A peer offering STARTTLS (or implicit TLS with `secure: true`) with the test's certificate. */
async function tlsPeer(tls: SelfSignedCert, options: SmtpPeerOptions = {}): Promise<SmtpPeer> {
  const peer = await startSmtpPeer({ ...options, server: { key: tls.key, cert: tls.cert, ...options.server } });
  peers.push(peer);
  return peer;
}

function send(peer: SmtpPeer, config: Record<string, unknown> = {}) {
  const context = makeContext(
    smtpStep.configSchema.parse({
      host: peer.host,
      port: peer.port,
      from: 'bot@example.com',
      to: 'ops@example.com',
      subject: 'tls',
      body: 'hello',
      ...config,
    }),
  );
  return { ...context, result: smtpStep.run(context.ctx) };
}

const allText = (lines: readonly LoggedLine[], err?: Error): string =>
  [...lines.map((l) => l.line), err?.message ?? '', JSON.stringify((err as { outputs?: unknown })?.outputs ?? {})].join(
    '\n',
  );

describe('smtp step: TLS', () => {
  it('refuses a self-signed certificate by default (not retryable), sending nothing', async (t) => {
    if (cert === undefined) return t.skip();
    const peer = await tlsPeer(cert);
    const err = await expectStepError(send(peer).result);
    expect([err.code, err.retryable]).toEqual(['STEP_FAILED', false]);
    expect(err.message).toMatch(/TLS failed: self[- ]signed certificate/);
    expect(peer.received).toEqual([]);
  });

  it('upgrades with STARTTLS and accepts the certificate with insecure_skip_verify or with ca', async (t) => {
    if (cert === undefined) return t.skip();
    const peer = await tlsPeer(cert);
    const skipped = await send(peer, { insecure_skip_verify: true }).result;
    expect(skipped.outputs.tls).toBe(true);
    const trusted = await send(peer, { ca: cert.cert }).result;
    expect(trusted.outputs.tls).toBe(true);
    expect(peer.received.map((m) => m.secure)).toEqual([true, true]);
  });

  it('with ca, still refuses a certificate that does not name the host', async (t) => {
    const elsewhere = await makeSelfSignedCert('DNS:mail.example.com');
    if (elsewhere === undefined) return t.skip();
    const peer = await tlsPeer(elsewhere);
    const err = await expectStepError(send(peer, { ca: elsewhere.cert }).result);
    expect([err.code, err.retryable]).toEqual(['STEP_FAILED', false]);
    expect(err.message).toContain('TLS failed');
    expect(peer.received).toEqual([]);
  });

  it('speaks TLS from the first byte with tls: true', async (t) => {
    if (cert === undefined) return t.skip();
    const peer = await tlsPeer(cert, { server: { secure: true } });
    const { outputs } = await send(peer, { tls: true, ca: cert.cert }).result;
    expect(outputs.tls).toBe(true);
    expect(peer.received[0]?.secure).toBe(true);
  });

  it('starttls: required fails when the server does not offer STARTTLS; off stays in plain text', async (t) => {
    if (cert === undefined) return t.skip();
    const plain = await tlsPeer(cert, { noStarttls: true });
    const err = await expectStepError(send(plain, { starttls: 'required', ca: cert.cert }).result);
    expect([err.code, err.retryable]).toEqual(['STEP_FAILED', false]);
    expect(err.message).toContain('STARTTLS');
    expect(plain.received).toEqual([]);

    const offering = await tlsPeer(cert);
    const { outputs } = await send(offering, { starttls: 'off' }).result;
    expect(outputs.tls).toBe(false);
    expect(offering.received[0]?.secure).toBe(false);
  });

  it('auto goes on in plain text when the server offers no STARTTLS', async (t) => {
    if (cert === undefined) return t.skip();
    const plain = await tlsPeer(cert, { noStarttls: true });
    const { outputs } = await send(plain).result;
    expect(outputs.tls).toBe(false);
    expect(plain.received).toHaveLength(1);
  });
});

describe('smtp step: AUTH', () => {
  const users = { flotilla: PASSWORD };

  for (const method of ['PLAIN', 'LOGIN']) {
    it(`logs in with AUTH ${method} over STARTTLS and sends`, async (t) => {
      if (cert === undefined) return t.skip();
      const peer = await tlsPeer(cert, { users, server: { authMethods: [method] } });
      const { result, lines } = send(peer, { ca: cert.cert, auth: { user: 'flotilla', password: PASSWORD } });
      const { outputs } = await result;
      expect(outputs.tls).toBe(true);
      expect(peer.authAttempts).toEqual([{ method, user: 'flotilla', ok: true }]);
      expect(peer.received[0]?.user).toBe('flotilla');
      expect(lines.map((l) => l.line)).toContain('smtp: logged in as flotilla');
      expect(allText(lines)).not.toContain(PASSWORD);
    });
  }

  it('refuses a wrong password with REMOTE_AUTH_FAILED (not retryable), sending nothing', async (t) => {
    if (cert === undefined) return t.skip();
    const peer = await tlsPeer(cert, { users });
    const wrong = 'pw-wrong-1234';
    const { result, lines } = send(peer, { ca: cert.cert, auth: { user: 'flotilla', password: wrong } });
    const err = await expectStepError(result);
    expect([err.code, err.retryable]).toEqual(['REMOTE_AUTH_FAILED', false]);
    expect(err.message).toMatch(/^smtp authentication at 127\.0\.0\.1:\d+ failed: .*535/);
    expect(peer.authAttempts).toEqual([{ method: 'PLAIN', user: 'flotilla', ok: false }]);
    expect(peer.received).toEqual([]);
    expect(allText(lines, err)).not.toContain(wrong);
  });

  it('marks a temporary authentication failure (454) retryable', async (t) => {
    if (cert === undefined) return t.skip();
    const peer = await tlsPeer(cert, { users, authFailureCode: 454 });
    const err = await expectStepError(
      send(peer, { ca: cert.cert, auth: { user: 'flotilla', password: 'x-y-z' } }).result,
    );
    expect([err.code, err.retryable]).toEqual(['REMOTE_AUTH_FAILED', true]);
    expect(peer.received).toEqual([]);
  });

  it('never sends the password over a plain connection: auth makes STARTTLS required', async (t) => {
    if (cert === undefined) return t.skip();
    const peer = await tlsPeer(cert, { users, noStarttls: true, server: { allowInsecureAuth: true } });
    const err = await expectStepError(send(peer, { auth: { user: 'flotilla', password: PASSWORD } }).result);
    expect([err.code, err.retryable]).toEqual(['STEP_FAILED', false]);
    expect(err.message).toContain('STARTTLS');
    // starttls: auto written out goes on in plain text, and stops before the password
    const auto = await expectStepError(
      send(peer, { starttls: 'auto', auth: { user: 'flotilla', password: PASSWORD } }).result,
    );
    expect([auto.code, auto.retryable]).toEqual(['REMOTE_AUTH_FAILED', false]);
    expect(auto.message).toContain('not encrypted');
    expect(peer.authAttempts).toEqual([]);
    expect(peer.received).toEqual([]);
  });

  it('fails with REMOTE_AUTH_FAILED when the server offers no AUTH', async (t) => {
    if (cert === undefined) return t.skip();
    const peer = await tlsPeer(cert);
    const err = await expectStepError(
      send(peer, { ca: cert.cert, auth: { user: 'flotilla', password: PASSWORD } }).result,
    );
    expect([err.code, err.retryable]).toEqual(['REMOTE_AUTH_FAILED', false]);
    expect(err.message).toContain('does not offer AUTH');
    expect(peer.received).toEqual([]);
  });
});
