import { randomBytes, type KeyObject } from 'node:crypto';
import { verifyEd25519 } from '@flotilla/node-kit';
import {
  ChannelCloseCode,
  FLOTILLA_VERSION,
  FlotillaError,
  PROTOCOL_VERSION,
  agentAuthMessage,
  serverAuthMessage,
  type AgentFrame,
  type ErrorCode,
  type ServerFrame,
} from '@flotilla/protocol';
import type { AgentIdentity } from '../identity/agent-identity.js';

type Challenge = Extract<ServerFrame, { type: 'challenge' }>;
type Welcome = Extract<ServerFrame, { type: 'welcome' }>;
type Hello = Extract<AgentFrame, { type: 'hello' }>;

/**
 * Answers the server's challenge (SPEC §4): signs (server nonce, agent id, server key id) and
 * sends a fresh nonce of our own that the server must sign back. A challenge naming another
 * server key than the pinned one means we are not talking to our control plane.
 */
export function answerChallenge(
  challenge: Challenge,
  identity: AgentIdentity,
  extra: { maxConcurrentRuns?: number | undefined } = {},
): { hello: Hello; agentNonce: string } {
  const { state, key } = identity;
  if (challenge.serverKeyId !== state.serverKeyId) {
    throw new FlotillaError('AGENT_AUTH_FAILED', {
      detail: `the control plane presented key id "${challenge.serverKeyId}" but this agent pinned "${state.serverKeyId}"`,
    });
  }
  const agentNonce = randomBytes(32).toString('base64url');
  const signature = key.sign(agentAuthMessage(challenge.nonce, state.agentId, state.serverKeyId));
  return {
    agentNonce,
    hello: {
      type: 'hello',
      agentId: state.agentId,
      protocolVersion: PROTOCOL_VERSION,
      agentVersion: FLOTILLA_VERSION,
      nonce: agentNonce,
      signature,
      ...(extra.maxConcurrentRuns === undefined ? {} : { maxConcurrentRuns: extra.maxConcurrentRuns }),
    },
  };
}

/** True when `welcome` carries the pinned control-plane key's signature over our nonce. */
export function verifyWelcome(welcome: Welcome, agentNonce: string, agentId: string, serverKey: KeyObject): boolean {
  return verifyEd25519(serverKey, serverAuthMessage(agentNonce, agentId), welcome.signature);
}

const FATAL_REFUSALS: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'PROTOCOL_VERSION_UNSUPPORTED',
  'AGENT_REVOKED',
  'AGENT_AUTH_FAILED',
  // A deleted enrolment needs a new token: retrying cannot help (SPEC §4).
  'AGENT_NOT_FOUND',
]);

/**
 * What the end of a connection means for the agent: the fatal error that stops it for good
 * (revoked, bad key, version; also the matching close codes without a `refused` frame), or
 * `undefined` to reconnect with backoff (not yet approved, server restarting, network).
 */
export function fatalCloseError(
  refusal: { code: ErrorCode; message: string } | undefined,
  closeCode: number,
  reason: string,
): FlotillaError | undefined {
  if (refusal !== undefined) {
    return FATAL_REFUSALS.has(refusal.code)
      ? new FlotillaError(refusal.code, { detail: `control plane refused this agent: ${refusal.message}` })
      : undefined;
  }
  if (closeCode === ChannelCloseCode.authFailed) {
    return new FlotillaError('AGENT_AUTH_FAILED', {
      detail: `control plane closed the channel: ${reason || 'authentication failed'}`,
    });
  }
  if (closeCode === ChannelCloseCode.versionUnsupported) {
    return new FlotillaError('PROTOCOL_VERSION_UNSUPPORTED', {
      detail: `control plane closed the channel: ${reason || 'protocol version unsupported'}`,
    });
  }
  return undefined;
}
