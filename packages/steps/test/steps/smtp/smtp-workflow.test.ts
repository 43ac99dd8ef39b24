import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, createMemoryJournal, validateWorkflow } from '@flotilla/workflow';
import type { EngineEvent } from '@flotilla/workflow';
import { createLocalServices, createStepRegistry, systemClock } from '@flotilla/steps';
import { makeSelfSignedCert } from '../../helpers/self-signed-cert.js';
import type { SelfSignedCert } from '../../helpers/self-signed-cert.js';
import { startSmtpPeer } from '../../helpers/smtp-peer.js';
import type { SmtpPeer } from '../../helpers/smtp-peer.js';

/**
 * The `smtp` step as a document uses it: validated with the catalogue, run by the engine, the
 * password a declared secret that never shows in logs, outputs or the run record.
 */
const PASSWORD = 'smtp-pw-51c0e2';
const registry = createStepRegistry();
let cert: SelfSignedCert | undefined;
let peer: SmtpPeer | undefined;

beforeAll(async () => {
  cert = await makeSelfSignedCert();
  if (cert !== undefined) {
    peer = await startSmtpPeer({ users: { flotilla: PASSWORD }, server: { key: cert.key, cert: cert.cert } });
  }
});
afterAll(async () => {
  await peer?.close();
});

function document(smtp: SmtpPeer, tls: SelfSignedCert): string {
  return [
    'name: notify',
    'secrets: [SMTP_PASSWORD]',
    'variables: { version: "1.2.3", oncall: "oncall@example.com" }',
    'tasks:',
    '  - name: mail',
    '    type: smtp',
    '    config:',
    `      host: ${smtp.host}`,
    `      port: ${smtp.port}`,
    `      ca: ${JSON.stringify(tls.cert)}`,
    '      auth: { user: flotilla, password: "{{.SMTP_PASSWORD}}" }',
    '      from: "Flotilla <flotilla@example.com>"',
    '      to: ["{{.oncall}}", ops@example.com]',
    '      subject: "deployed {{.version}}"',
    '      body: "version {{.version}} is live"',
    '  - name: report',
    '    type: js',
    '    config:',
    "      source: \"input.id + ' to ' + input.to.join(',')\"",
    '      input: { id: "${{ steps.mail.outputs.message_id }}", to: "${{ steps.mail.outputs.accepted }}" }',
  ].join('\n');
}

async function run(text: string, password: string) {
  const result = validateWorkflow(text, { steps: registry });
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  const events: EngineEvent[] = [];
  const engine = createEngine({
    registry,
    clock: systemClock,
    journal: createMemoryJournal(),
    services: createLocalServices(),
    onEvent: (event) => events.push(event),
  });
  const record = await engine.run({
    runId: 'smtp-doc',
    workflow: result.workflow,
    secrets: { SMTP_PASSWORD: password },
  });
  return { record, events };
}

describe('smtp step in a workflow', () => {
  it('validates, sends with the secret password and hands its outputs on', async (t) => {
    if (cert === undefined || peer === undefined) return t.skip();
    const { record, events } = await run(document(peer, cert), PASSWORD);
    expect(record.status).toBe('succeeded');
    const mail = record.steps.find((s) => s.key === 'mail');
    expect(mail?.outputs).toMatchObject({
      accepted: ['oncall@example.com', 'ops@example.com'],
      rejected: [],
      message_id: '<flotilla.smtp-doc.mail.1@example.com>',
      tls: true,
    });
    expect(record.steps.find((s) => s.key === 'report')?.outputs.result).toBe(
      '<flotilla.smtp-doc.mail.1@example.com> to oncall@example.com,ops@example.com',
    );
    const received = peer.received.at(-1);
    expect(received?.user).toBe('flotilla');
    expect(received?.mail.subject).toBe('deployed 1.2.3');
    expect(received?.mail.text?.trimEnd()).toBe('version 1.2.3 is live');
    expect(JSON.stringify({ record, events })).not.toContain(PASSWORD);
  });

  it('fails the run with REMOTE_AUTH_FAILED on a wrong password, and masks it', async (t) => {
    if (cert === undefined || peer === undefined) return t.skip();
    const wrong = 'smtp-wrong-9d77';
    const before = peer.received.length;
    const { record, events } = await run(document(peer, cert), wrong);
    expect(record.status).toBe('failed');
    expect(record.steps.find((s) => s.key === 'mail')?.error).toMatchObject({
      code: 'REMOTE_AUTH_FAILED',
      retryable: false,
    });
    expect(peer.received.length).toBe(before);
    expect(JSON.stringify({ record, events })).not.toContain(wrong);
  });
});
