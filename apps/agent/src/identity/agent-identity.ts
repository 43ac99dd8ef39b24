import type { KeyObject } from 'node:crypto';
import { FlotillaError } from '@flotilla/protocol';
import type { AgentLogger } from '../logger.js';
import type { CompiledAgentOptions } from '../options.js';
import { keyFingerprint, publicKeyFromRaw } from '@flotilla/node-kit';
import { loadOrCreateAgentKey, type AgentKey } from './agent-key.js';
import { readAgentState, writeAgentState, type AgentState } from './agent-state.js';
import { enroll } from './enroll.js';

/** Everything the connection needs to prove who it is and to check who it talks to. */
export interface AgentIdentity {
  readonly key: AgentKey;
  readonly state: AgentState;
  /** The pinned control-plane key, ready for `crypto.verify`. */
  readonly serverKey: KeyObject;
}

/**
 * Loads the key and state from the data dir; enrols first when there is no state yet. Enrolment
 * needs a token: without one (and without state) the agent cannot start.
 */
export async function loadOrEnrollIdentity(
  options: CompiledAgentOptions,
  logger: AgentLogger,
  signal?: AbortSignal,
): Promise<AgentIdentity> {
  let state = await readAgentState(options.dataDir);
  // A new key next to an existing enrolment would never authenticate: refuse instead.
  const key = await loadOrCreateAgentKey(options.dataDir, {
    allowCreate: state === undefined,
    warn: (message) => {
      logger.warn({}, message);
    },
  });
  if (state === undefined) {
    if (options.token === undefined) {
      throw new FlotillaError('CONFIG_INVALID', {
        detail: 'this agent is not enrolled yet: --token (or FLOTILLA_ENROLL_TOKEN) is required for first start',
        errors: [{ path: 'token', message: 'required for first start' }],
      });
    }
    // The fingerprint is what the admin compares with the one the control plane shows before approving.
    logger.info(
      { server: options.serverUrl, name: options.name, keyFingerprint: keyFingerprint(key.publicKey) },
      'enrolling',
    );
    const response = await enroll({ options, token: options.token, key, logger, signal });
    state = {
      agentId: response.agentId,
      name: options.name,
      serverUrl: options.serverUrl,
      serverPublicKey: response.serverPublicKey,
      serverKeyId: response.serverKeyId,
    };
    await writeAgentState(options.dataDir, state);
    logger.info({ agentId: state.agentId, status: response.status }, 'enrolled');
    if (response.status === 'pending') logger.warn({}, 'enrolment is pending: an admin must approve this agent');
  } else if (state.serverUrl !== options.serverUrl) {
    logger.warn(
      { enrolledWith: state.serverUrl, server: options.serverUrl },
      'server URL differs from enrolment; the pinned key still applies',
    );
  }
  return { key, state, serverKey: publicKeyFromRaw(state.serverPublicKey) };
}
