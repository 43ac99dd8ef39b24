import type { Permission } from '@flotilla/protocol';

/**
 * What each permission a route contract can declare takes. The names are the protocol's
 * (`PERMISSIONS`, declared beside the route contracts); the rules are the server's. The one check
 * (`authorize`) reads this table; nothing else decides who may do what.
 *
 * - `self`: any authenticated principal acting on itself (who am I, log out, own API tokens).
 * - `tenant`: any principal of the tenant (read the tenant's directory), except tokens limited to a project.
 * - `project`: the request's project — admins always; members through team grants; tokens by scope.
 * - `tenant-admin`: tenant admins and the owner, with a session or a personal token for all projects.
 * - `owner`: the server-wide owner, with a session or a personal token for all projects.
 *
 * `write: true` marks a mutation: read-only tokens and read-only grants never pass it. The scope
 * model for tokens is documented in `docs/security.md` ("Token scopes").
 */
export const permissionCatalogue = {
  'self:read': { level: 'self', write: false },
  'self:write': { level: 'self', write: true },
  'agents:read': { level: 'project', write: false },
  'agents:write': { level: 'project', write: true },
  'jobs:read': { level: 'project', write: false },
  'jobs:write': { level: 'project', write: true },
  'logs:read': { level: 'project', write: false },
  'workflows:read': { level: 'project', write: false },
  'workflows:write': { level: 'project', write: true },
  'secrets:read': { level: 'project', write: false },
  'secrets:write': { level: 'project', write: true },
  'tenancy:read': { level: 'tenant', write: false },
  'tenancy:admin': { level: 'tenant-admin', write: true },
  'audit:read': { level: 'tenant-admin', write: false },
  'server:owner': { level: 'owner', write: true },
} as const satisfies Record<Permission, { level: PermissionLevel; write: boolean }>;

export type PermissionLevel = 'self' | 'tenant' | 'project' | 'tenant-admin' | 'owner';
