import { z } from 'zod';
import { DurationSchema } from '../duration.js';

/** Tenant, project and team names: short, URL-safe, stable (they appear in git URLs). */
export const ResourceNameSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'names are 1–63 characters of a–z 0–9 and -, starting with a letter or digit');

export const TenantSchema = z.object({ id: z.string(), name: z.string(), createdAt: z.string() });
export type Tenant = z.infer<typeof TenantSchema>;
export const CreateTenantRequestSchema = z.strictObject({ name: ResourceNameSchema });
export type CreateTenantRequest = z.infer<typeof CreateTenantRequestSchema>;

export const ProjectSchema = z.object({ id: z.string(), name: z.string(), createdAt: z.string() });
export type Project = z.infer<typeof ProjectSchema>;
export const CreateProjectRequestSchema = z.strictObject({ name: ResourceNameSchema });
export type CreateProjectRequest = z.infer<typeof CreateProjectRequestSchema>;

/** `owner` is server-wide; `admin` and `member` are roles inside the user's tenant. */
export const RoleSchema = z.enum(['owner', 'admin', 'member']);
export type Role = z.infer<typeof RoleSchema>;

export const UserAccountSchema = z.object({
  id: z.string(),
  username: z.string(),
  role: RoleSchema,
  tenant: z.string(),
  lockedUntil: z.string().nullable(),
  createdAt: z.string(),
});
export type UserAccount = z.infer<typeof UserAccountSchema>;
export const CreateUserRequestSchema = z.strictObject({
  username: z.string().regex(/^[A-Za-z0-9_.@-]{1,128}$/, 'usernames are 1–128 characters of A–Z a–z 0–9 _ . @ -'),
  password: z.string().min(12, 'passwords have at least 12 characters').max(1024),
  /** Tenant name; defaults to the caller's tenant. */
  tenant: z.string().min(1).max(63).optional(),
  role: z.enum(['admin', 'member']).default('member'),
});
export type CreateUserRequest = z.input<typeof CreateUserRequestSchema>;

/** `full` may mutate; `read-only` may only read. */
export const AccessSchema = z.enum(['full', 'read-only']);
export type Access = z.infer<typeof AccessSchema>;

export const TeamGrantSchema = z.object({ project: z.string(), access: AccessSchema });
export type TeamGrant = z.infer<typeof TeamGrantSchema>;
export const TeamSchema = z.object({
  id: z.string(),
  name: z.string(),
  members: z.array(z.object({ id: z.string(), username: z.string() })),
  /** `project` is a project name, or `*` for every project of the tenant. */
  grants: z.array(TeamGrantSchema),
  createdAt: z.string(),
});
export type Team = z.infer<typeof TeamSchema>;
export const CreateTeamRequestSchema = z.strictObject({ name: ResourceNameSchema });
export type CreateTeamRequest = z.infer<typeof CreateTeamRequestSchema>;
export const AddTeamMemberRequestSchema = z.strictObject({ userId: z.string().min(1).max(64) });
export type AddTeamMemberRequest = z.infer<typeof AddTeamMemberRequestSchema>;
export const GrantRequestSchema = z.strictObject({
  project: z.union([z.literal('*'), ResourceNameSchema]),
  access: AccessSchema,
});
export type GrantRequest = z.infer<typeof GrantRequestSchema>;
/** `DELETE /teams/:id/members/:userId`. */
export const TeamMemberParamsSchema = z.strictObject({
  id: z.string().min(1).max(64),
  userId: z.string().min(1).max(64),
});
/** `DELETE /teams/:id/grants/:project`: a project name, or `*`. */
export const TeamGrantParamsSchema = z.strictObject({
  id: z.string().min(1).max(64),
  project: z.union([z.literal('*'), ResourceNameSchema]),
});

export const ApiTokenKindSchema = z.enum(['personal', 'service']);
export const CreateApiTokenRequestSchema = z.strictObject({
  name: z.string().min(1).max(128),
  kind: ApiTokenKindSchema.default('personal'),
  /** Project name the token is limited to; every project of the tenant when left out. */
  project: ResourceNameSchema.optional(),
  access: AccessSchema.default('full'),
  /** Lifetime (`30d`); no expiry when left out. */
  expiresIn: DurationSchema.optional(),
});
export type CreateApiTokenRequest = z.input<typeof CreateApiTokenRequestSchema>;
export const ApiTokenSchema = z.object({
  id: z.string(),
  name: z.string(),
  kind: ApiTokenKindSchema,
  project: z.string().nullable(),
  access: AccessSchema,
  expiresAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
  revoked: z.boolean(),
  createdAt: z.string(),
});
export type ApiToken = z.infer<typeof ApiTokenSchema>;
/** Returned once by `POST /api-tokens`: the only time the secret exists in clear. */
export const CreatedApiTokenSchema = ApiTokenSchema.extend({ token: z.string() });
export type CreatedApiToken = z.infer<typeof CreatedApiTokenSchema>;
