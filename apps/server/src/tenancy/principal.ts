import type { Role } from '@flotilla/protocol';

/** What an API token limits its holder to. */
export interface TokenScope {
  readonly tokenId: string;
  readonly kind: 'personal' | 'service';
  /** `null`: every project of the tenant. */
  readonly projectId: string | null;
  readonly access: 'full' | 'read-only';
  /** RFC 3339 UTC, or `null`: never expires. Tokens it creates may not outlive it. */
  readonly expiresAt: string | null;
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

/**
 * Whether the principal may use the tenant-wide powers of its user's role: a session, or a
 * personal API token not limited to a project. A project-scoped token never exceeds its project,
 * and a service token never holds a role, whoever created them.
 */
function holdsTenantRole(p: Principal): boolean {
  return p.token === null || (p.token.kind === 'personal' && p.token.projectId === null);
}

/**
 * Admins (and the owner) have full access to every project their principal reaches, without team
 * grants; a project-scoped token of an admin still reaches only its project (checked apart).
 */
export function hasAdminProjectAccess(p: Principal): boolean {
  return p.token?.kind !== 'service' && (p.role === 'admin' || p.role === 'owner');
}

/** May administer the tenant (users, projects, teams, grants, service tokens, audit). */
export function isTenantAdmin(p: Principal): boolean {
  return holdsTenantRole(p) && hasAdminProjectAccess(p);
}

/** May act as the server-wide owner (create tenants, see and reach every tenant). */
export function isServerOwner(p: Principal): boolean {
  return holdsTenantRole(p) && p.role === 'owner';
}
