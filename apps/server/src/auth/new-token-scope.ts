import { FlotillaError } from '@flotilla/protocol';
import { isTenantAdmin } from '../tenancy/principal.js';
import type { Principal } from '../tenancy/principal.js';

/** The scope a `POST /api-tokens` asks for, resolved (project looked up, expiry made absolute). */
export interface RequestedTokenScope {
  kind: 'personal' | 'service';
  /** `null`: every project of the tenant. */
  project: { id: string; name: string } | null;
  access: 'full' | 'read-only';
  /** RFC 3339 UTC, or `null`: never expires. */
  expiresAt: string | null;
}

function forbidden(detail: string): FlotillaError {
  return new FlotillaError('FORBIDDEN', { detail });
}

/**
 * Refuses a new token wider than the credential that asks for it. Service tokens are for tenant
 * admins (a session or an unscoped personal token); a token never creates a token for other
 * projects, with more access, or living longer than itself; a service token creates none.
 * A session may create any token its user may hold.
 */
export function assertNoWiderToken(p: Principal, requested: RequestedTokenScope): void {
  const token = p.token;
  if (token?.kind === 'service') throw forbidden('A service token cannot create tokens');
  if (requested.kind === 'service' && !isTenantAdmin(p)) {
    throw forbidden('Only tenant admins create service tokens, with a session or a personal token for all projects');
  }
  if (token === null) return;
  if (token.projectId !== null && token.projectId !== requested.project?.id) {
    throw forbidden('This token can only create tokens for its own project');
  }
  if (token.access === 'read-only' && requested.access !== 'read-only')
    throw forbidden('A read-only token can only create read-only tokens');
  // ISO timestamps of one fixed format compare as text.
  if (token.expiresAt !== null && (requested.expiresAt === null || requested.expiresAt > token.expiresAt)) {
    throw forbidden(
      `This token expires at ${token.expiresAt}; a token it creates must expire no later (set expiresIn)`,
    );
  }
}
