import { EventEmitter } from 'node:events';
import type { Principal } from '../tenancy/principal.js';

interface CredentialEventMap {
  /** A session (`ses_…`) or API token (`apt_…`) id that stopped being valid. */
  revoked: [credentialId: string];
}

/**
 * Announces, in this process, that a session ended (logout) or an API token was revoked, after
 * the change is committed, so whatever the credential keeps open (a log-follow stream) ends at
 * once, as a revoked agent's channel does. Several replicas will need this on the cluster bus.
 */
export class CredentialRevocations extends EventEmitter<CredentialEventMap> {
  constructor() {
    super();
    // One listener per open stream: many is normal, not a leak.
    this.setMaxListeners(0);
  }
}

/** The credential a principal authenticated with: its session, else its API token. */
export function credentialIdOf(principal: Principal): string {
  const id = principal.sessionId ?? principal.token?.tokenId;
  if (id === undefined) throw new Error('a principal always comes from a session or an API token');
  return id;
}
