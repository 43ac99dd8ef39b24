import { z } from 'zod';
import { PermissionSchema } from './contract/permission.js';

export const LoginRequestSchema = z.strictObject({
  username: z.string().min(1).max(128),
  password: z.string().min(1).max(1024),
});
export type LoginRequest = z.infer<typeof LoginRequestSchema>;

export const UserSchema = z.object({
  id: z.string(),
  username: z.string(),
  role: z.enum(['owner', 'admin', 'member']),
  tenant: z.string(),
});
export type User = z.infer<typeof UserSchema>;

export const LoginResponseSchema = z.object({ token: z.string(), user: UserSchema });
export type LoginResponse = z.infer<typeof LoginResponseSchema>;

/** A tenant or project as the session shows it. */
export const NamedRefSchema = z.object({ id: z.string(), name: z.string() });
export type NamedRef = z.infer<typeof NamedRefSchema>;

/**
 * `GET /auth/session`: who the caller is and what it may do, for a UI that hides the controls the
 * caller may not use (the server checks every request regardless). Project-scoped like other
 * routes: `?project=` picks the project `permissions` are computed for.
 */
export const SessionInfoSchema = z.object({
  user: UserSchema,
  tenant: NamedRefSchema,
  /** The project of this request: the one asked for with `?project=`, else the default one. */
  project: NamedRefSchema,
  /** Projects of the tenant the caller may read, by name. */
  projects: z.array(NamedRefSchema),
  /** Tenants the caller may see: its own; every tenant for the server owner. */
  tenants: z.array(NamedRefSchema),
  /** Every permission the caller holds in `project`, decided by the same check as each request. */
  permissions: z.array(PermissionSchema),
});
export type SessionInfo = z.infer<typeof SessionInfoSchema>;
