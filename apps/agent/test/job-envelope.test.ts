import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signEd25519 } from '@flotilla/node-kit';
import { openJobEnvelope } from '../src/jobs/job-envelope.js';

const server = generateKeyPairSync('ed25519');
const intruder = generateKeyPairSync('ed25519');

function envelope(payload: object | string, key = server.privateKey) {
  const text = typeof payload === 'string' ? payload : JSON.stringify(payload);
  return { payload: text, signature: signEd25519(key, text) };
}

const payload = {
  jobId: 'j1',
  runId: 'r1',
  agentId: 'a1',
  workflow: 'name: t',
  inputs: {},
  issuedAt: '2025-01-01T00:00:00Z',
};

describe('openJobEnvelope', () => {
  it('accepts a payload signed by the pinned key and addressed to this agent', () => {
    expect(openJobEnvelope(envelope(payload), server.publicKey, 'a1')).toEqual({
      ok: true,
      payload: { ...payload, secrets: {}, completedSteps: {} },
    });
  });

  it('rejects a tampered payload (signature over other bytes)', () => {
    const e = envelope(payload);
    const tampered = { ...e, payload: e.payload.replace('name: t', 'name: evil') };
    expect(openJobEnvelope(tampered, server.publicKey, 'a1')).toMatchObject({
      ok: false,
      runId: 'r1',
      code: 'ENVELOPE_SIGNATURE_INVALID',
    });
    // Even whitespace changes the signed bytes.
    expect(openJobEnvelope({ ...e, payload: `${e.payload} ` }, server.publicKey, 'a1')).toMatchObject({ ok: false });
  });

  it('rejects a payload signed by another key, and garbage signatures', () => {
    expect(openJobEnvelope(envelope(payload, intruder.privateKey), server.publicKey, 'a1')).toMatchObject({
      ok: false,
      code: 'ENVELOPE_SIGNATURE_INVALID',
    });
    expect(
      openJobEnvelope({ payload: JSON.stringify(payload), signature: '!!!' }, server.publicKey, 'a1'),
    ).toMatchObject({
      ok: false,
      code: 'ENVELOPE_SIGNATURE_INVALID',
    });
  });

  it('rejects a validly signed job addressed to another agent', () => {
    expect(openJobEnvelope(envelope(payload), server.publicKey, 'a2')).toMatchObject({
      ok: false,
      runId: 'r1',
      code: 'ENVELOPE_SIGNATURE_INVALID',
    });
  });

  it('rejects signed payloads that are not job payloads, or whose run id is not a safe file name', () => {
    expect(openJobEnvelope(envelope('not json'), server.publicKey, 'a1')).toMatchObject({
      ok: false,
      code: 'PROTOCOL_ERROR',
    });
    expect(openJobEnvelope(envelope({ runId: 'r1' }), server.publicKey, 'a1')).toMatchObject({
      ok: false,
      code: 'PROTOCOL_ERROR',
    });
    expect(openJobEnvelope(envelope({ ...payload, runId: '../../etc/x' }), server.publicKey, 'a1')).toMatchObject({
      ok: false,
      runId: undefined,
      code: 'PROTOCOL_ERROR',
    });
  });
});
