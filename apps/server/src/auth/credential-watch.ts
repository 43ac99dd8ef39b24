import type { Kysely } from 'kysely';
import { FlotillaError } from '@flotilla/protocol';
import type { Database } from '../store/schema.js';
import type { Principal } from '../tenancy/principal.js';
import { apiTokenExpiry } from './api-token-repo.js';
import { credentialIdOf } from './credential-revocations.js';
import type { CredentialRevocations } from './credential-revocations.js';
import { sessionExpiry } from './session-repo.js';

export interface WatchCredentialOptions {
  readonly db: Kysely<Database>;
  readonly revocations: CredentialRevocations;
  /** Who opened what is being watched. */
  readonly principal: Principal;
  /** Called once, when the credential is revoked or expires, with the `UNAUTHENTICATED` error saying which. */
  readonly onEnd: (reason: FlotillaError) => void;
}

/** setTimeout's longest delay; a later expiry (sessions last 30 days) is reached in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

function credentialExpiry(db: Kysely<Database>, principal: Principal): Promise<string | null | undefined> {
  return principal.sessionId !== null
    ? sessionExpiry(db, principal.sessionId)
    : apiTokenExpiry(db, credentialIdOf(principal));
}

/**
 * Watches the credential a request authenticated with, for as long as something it opened stays
 * open: the revocation event ends it at once, and one timer ends it at the credential's expiry
 * (no polling). Throws `UNAUTHENTICATED` when the credential is no longer valid already (revoked
 * between authentication and now). Returns the function that stops watching.
 */
export async function watchCredential(options: WatchCredentialOptions): Promise<() => void> {
  const id = credentialIdOf(options.principal);
  let timer: NodeJS.Timeout | undefined;
  let done = false;
  const stop = () => {
    done = true;
    options.revocations.off('revoked', onRevoked);
    clearTimeout(timer);
  };
  const end = (detail: string) => {
    if (done) return;
    stop();
    options.onEnd(new FlotillaError('UNAUTHENTICATED', { detail }));
  };
  function onRevoked(revokedId: string): void {
    if (revokedId === id) end('The session or token that opened this stream was revoked');
  }
  // Listen first, then read: a revocation committed meanwhile is seen by the read or announced after it.
  options.revocations.on('revoked', onRevoked);
  let expiresAt: string | null | undefined;
  try {
    expiresAt = await credentialExpiry(options.db, options.principal);
  } catch (err) {
    stop();
    throw err;
  }
  if (done || expiresAt === undefined) {
    stop();
    throw new FlotillaError('UNAUTHENTICATED', { detail: 'The token is unknown, revoked or expired' });
  }
  if (expiresAt !== null) {
    const deadline = Date.parse(expiresAt);
    const arm = () => {
      const left = deadline - Date.now();
      if (left <= 0) {
        end('The session or token that opened this stream expired');
        return;
      }
      timer = setTimeout(arm, Math.min(left, MAX_TIMER_MS));
      // The stream, not this timer, keeps the process busy (server shutdown ends streams first).
      timer.unref();
    };
    arm();
  }
  return stop;
}
