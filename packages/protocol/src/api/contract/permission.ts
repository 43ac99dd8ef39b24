import { z } from 'zod';

/**
 * Every permission a route contract can declare. The names live here, beside the contracts; the
 * rules behind each name (level, write) are the server's (`apps/server/src/tenancy/permissions.ts`,
 * keyed by this list), so a new name fails to compile until the server gives it a rule.
 */
export const PERMISSIONS = [
  'self:read',
  'self:write',
  'agents:read',
  'agents:write',
  'jobs:read',
  'jobs:write',
  'logs:read',
  'workflows:read',
  'workflows:write',
  'secrets:read',
  'secrets:write',
  'tenancy:read',
  'tenancy:admin',
  'audit:read',
  'server:owner',
] as const;

export const PermissionSchema = z.enum(PERMISSIONS);
export type Permission = z.infer<typeof PermissionSchema>;

/** What a route needs: a permission, or nothing at all (`public`: login, enrolment, health). */
export type RoutePermission = Permission | 'public';

export function isPermission(value: unknown): value is Permission {
  return PermissionSchema.safeParse(value).success;
}
