import type { Role } from '@flotilla/protocol';

/** What an API token limits its holder to. */
export interface TokenScope {
  readonly tokenId: string;
  readonly kind: 'personal' | 'service';
  /** `null`: every project of the tenant. */
  readonly projectId: string | null;
  readonly access: 'full' | 'read-only';
}

/**
 * Who a request acts as, resolved from a session (bearer or cookie) or an API token on every
 * authenticated request. `projectId`/`projectName` start as the tenant's `default` project (or the
 * token's project) and are replaced by the authorisation hook with the requested project, so every
 * repository that takes a `Scope` gets the right project for free.
 */
export interface Principal {
  /** The session, or `null` for an API token. */
  readonly sessionId: string | null;
  /** Set when the request authenticated with an API token. */
  readonly token: TokenScope | null;
  readonly userId: string;
  readonly username: string;
  readonly role: Role;
  readonly tenantId: string;
  readonly tenantName: string;
  projectId: string;
  projectName: string;
  /** `cookie` requests need a CSRF token on unsafe methods; `bearer` ones do not. */
  readonly via: 'bearer' | 'cookie';
}

/** Admins (and the server owner) have full access to their tenant; service tokens never hold a role. */
export function isTenantAdmin(p: Principal): boolean {
  return p.token?.kind !== 'service' && (p.role === 'admin' || p.role === 'owner');
}
