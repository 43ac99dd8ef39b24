import { describe, expect, it } from 'vitest';
import {
  ed25519Signer,
  generateEd25519Key,
  rawPublicKey,
  publicKeyFromRaw,
  signEd25519,
  verifyEd25519,
} from '@flotilla/node-kit';
import { agentAuthMessage, serverAuthMessage } from '@flotilla/protocol';
import { answerChallenge, fatalCloseError, verifyWelcome } from '../src/connection/handshake.js';
import type { AgentIdentity } from '../src/identity/agent-identity.js';

const agentKey = generateEd25519Key();
const serverKey = generateEd25519Key();
const serverPublicKey = publicKeyFromRaw(rawPublicKey(serverKey));
const identity: AgentIdentity = {
  key: { ...ed25519Signer(agentKey), created: false, deriveKey: () => Buffer.alloc(32) },
  state: {
    agentId: 'agt_1',
    name: 'a1',
    serverUrl: 'http://h',
    serverPublicKey: Buffer.alloc(32).toString('base64'),
    serverKeyId: 'k1',
  },
  serverKey: serverPublicKey,
};
const challenge = { type: 'challenge' as const, nonce: 'n'.repeat(32), serverKeyId: 'k1', protocolVersion: 1 };

describe('handshake', () => {
  it('signs (server nonce, agent id, key id) and sends a fresh 32-byte nonce', () => {
    const { hello, agentNonce } = answerChallenge(challenge, identity);
    expect(hello.nonce).toBe(agentNonce);
    expect(Buffer.from(agentNonce, 'base64url')).toHaveLength(32);
    expect(answerChallenge(challenge, identity).agentNonce).not.toBe(agentNonce);
    const message = agentAuthMessage(challenge.nonce, 'agt_1', 'k1');
    expect(verifyEd25519(rawPublicKey(agentKey), message, hello.signature)).toBe(true);
  });

  it('refuses a challenge for another server key', () => {
    expect(() => answerChallenge({ ...challenge, serverKeyId: 'k2' }, identity)).toThrow(
      expect.objectContaining({ code: 'AGENT_AUTH_FAILED' }),
    );
  });

  it('accepts only a welcome signed by the pinned key over our nonce', () => {
    const welcome = (key = serverKey, nonce = 'mine') => ({
      type: 'welcome' as const,
      signature: signEd25519(key, serverAuthMessage(nonce, 'agt_1')),
      pingIntervalMs: 1000,
      lastEventSeq: 0,
    });
    expect(verifyWelcome(welcome(), 'mine', 'agt_1', serverPublicKey)).toBe(true);
    expect(verifyWelcome(welcome(generateEd25519Key()), 'mine', 'agt_1', serverPublicKey)).toBe(false);
    expect(verifyWelcome(welcome(undefined, 'replayed'), 'mine', 'agt_1', serverPublicKey)).toBe(false);
    expect(verifyWelcome({ ...welcome(), signature: 'AAAA' }, 'mine', 'agt_1', serverPublicKey)).toBe(false);
  });

  it('decides which endings stop the agent and which reconnect', () => {
    const refused = (code: any) => fatalCloseError({ code, message: 'm' }, 4403, '')?.code;
    expect(refused('AGENT_REVOKED')).toBe('AGENT_REVOKED');
    expect(refused('PROTOCOL_VERSION_UNSUPPORTED')).toBe('PROTOCOL_VERSION_UNSUPPORTED');
    expect(refused('AGENT_AUTH_FAILED')).toBe('AGENT_AUTH_FAILED');
    expect(refused('AGENT_NOT_APPROVED')).toBeUndefined();
    expect(refused('SERVICE_UNAVAILABLE')).toBeUndefined();
    expect(fatalCloseError(undefined, 4401, '')?.code).toBe('AGENT_AUTH_FAILED');
    expect(fatalCloseError(undefined, 4426, '')?.code).toBe('PROTOCOL_VERSION_UNSUPPORTED');
    for (const code of [1000, 1001, 1006, 4403, 4409, 4400])
      expect(fatalCloseError(undefined, code, '')).toBeUndefined();
  });
});
