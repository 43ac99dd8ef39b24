import type { Kysely } from 'kysely';
import { agentAuthMessage, ChannelCloseCode, MIN_AGENT_PROTOCOL_VERSION, PROTOCOL_VERSION } from '@flotilla/protocol';
import type { AgentFrame, ErrorCode } from '@flotilla/protocol';
import { findAgentById } from '../agents/agent-repo.js';
import type { AgentRow } from '../agents/agent-repo.js';
import { verifyEd25519 } from '@flotilla/node-kit';
import type { Database } from '../store/schema.js';

type HelloFrame = Extract<AgentFrame, { type: 'hello' }>;

/** Why a connection is refused: the `refused` frame and the close code that follow. */
export interface Refusal {
  code: ErrorCode;
  message: string;
  closeCode: number;
}

/**
 * Checks a `hello` against the challenge (SPEC §4). Order matters: the protocol version first
 * (so an old agent learns why), then the signature, and only an authenticated agent learns its
 * trust state (revoked, pending).
 */
export async function verifyHello(
  db: Kysely<Database>,
  challenge: { nonce: string; serverKeyId: string },
  hello: HelloFrame,
): Promise<{ ok: true; agent: AgentRow } | { ok: false; refusal: Refusal }> {
  const refuse = (code: ErrorCode, message: string, closeCode: number) => ({
    ok: false as const,
    refusal: { code, message, closeCode },
  });
  // Older agents within the range are served (the channel schemas accept what they send); a
  // newer agent is refused rather than having frames it cannot know are refused one by one.
  if (hello.protocolVersion < MIN_AGENT_PROTOCOL_VERSION || hello.protocolVersion > PROTOCOL_VERSION) {
    const upgrade = hello.protocolVersion > PROTOCOL_VERSION ? 'upgrade the control plane' : 'upgrade the agent';
    return refuse(
      'PROTOCOL_VERSION_UNSUPPORTED',
      `agent speaks protocol version ${hello.protocolVersion}, this server speaks versions ${MIN_AGENT_PROTOCOL_VERSION} to ${PROTOCOL_VERSION}; ${upgrade}`,
      ChannelCloseCode.versionUnsupported,
    );
  }
  const agent = await findAgentById(db, hello.agentId);
  const message = agentAuthMessage(challenge.nonce, hello.agentId, challenge.serverKeyId);
  if (agent === undefined || !verifyEd25519(agent.public_key, message, hello.signature)) {
    return refuse('AGENT_AUTH_FAILED', 'unknown agent or bad signature', ChannelCloseCode.authFailed);
  }
  switch (agent.approval) {
    case 'approved':
      return { ok: true, agent };
    case 'pending':
      return refuse(
        'AGENT_NOT_APPROVED',
        `agent ${agent.name} is waiting for approval by an administrator`,
        ChannelCloseCode.forbidden,
      );
    case 'revoked':
    case 'disabled':
      return refuse('AGENT_REVOKED', `agent ${agent.name} is ${agent.approval}`, ChannelCloseCode.forbidden);
  }
}
