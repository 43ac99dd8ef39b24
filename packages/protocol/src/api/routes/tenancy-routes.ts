import { IdParamsSchema, itemsSchema } from '../common.js';
import { defineRoute } from '../contract/define-route.js';
import { problem } from '../contract/responses.js';
import {
  AddTeamMemberRequestSchema,
  CreateProjectRequestSchema,
  CreateTeamRequestSchema,
  CreateTenantRequestSchema,
  CreateUserRequestSchema,
  GrantRequestSchema,
  ProjectSchema,
  TeamGrantParamsSchema,
  TeamMemberParamsSchema,
  TeamSchema,
  TenantSchema,
  UserAccountSchema,
} from '../tenancy.js';

/** Tenants (server owner). */
export const tenantRoutes = {
  create: defineRoute({
    method: 'POST',
    path: '/api/v1/tenants',
    summary: 'Create a tenant (server owner)',
    permission: 'server:owner',
    body: CreateTenantRequestSchema,
    responses: { 201: TenantSchema, 403: problem, 409: problem },
  }),
  list: defineRoute({
    method: 'GET',
    path: '/api/v1/tenants',
    summary: 'Tenants visible to the caller',
    permission: 'tenancy:read',
    responses: { 200: itemsSchema(TenantSchema) },
  }),
};

/** Projects of the caller's tenant. */
export const projectRoutes = {
  create: defineRoute({
    method: 'POST',
    path: '/api/v1/projects',
    summary: 'Create a project in the tenant (tenant admin)',
    permission: 'tenancy:admin',
    body: CreateProjectRequestSchema,
    responses: { 201: ProjectSchema, 403: problem, 409: problem },
  }),
  list: defineRoute({
    method: 'GET',
    path: '/api/v1/projects',
    summary: 'Projects of the tenant',
    permission: 'tenancy:read',
    responses: { 200: itemsSchema(ProjectSchema) },
  }),
};

/** Users of the caller's tenant. */
export const userRoutes = {
  create: defineRoute({
    method: 'POST',
    path: '/api/v1/users',
    summary: 'Create a user (tenant admin)',
    permission: 'tenancy:admin',
    body: CreateUserRequestSchema,
    responses: { 201: UserAccountSchema, 403: problem, 409: problem },
  }),
  list: defineRoute({
    method: 'GET',
    path: '/api/v1/users',
    summary: 'Users of the tenant',
    permission: 'tenancy:read',
    responses: { 200: itemsSchema(UserAccountSchema) },
  }),
};

/** Teams, their members and their project grants. */
export const teamRoutes = {
  create: defineRoute({
    method: 'POST',
    path: '/api/v1/teams',
    summary: 'Create a team (tenant admin)',
    permission: 'tenancy:admin',
    body: CreateTeamRequestSchema,
    responses: { 201: TeamSchema, 403: problem, 409: problem },
  }),
  list: defineRoute({
    method: 'GET',
    path: '/api/v1/teams',
    summary: 'Teams of the tenant with members and grants',
    permission: 'tenancy:read',
    responses: { 200: itemsSchema(TeamSchema) },
  }),
  addMember: defineRoute({
    method: 'POST',
    path: '/api/v1/teams/:id/members',
    summary: 'Add a user to a team',
    permission: 'tenancy:admin',
    params: IdParamsSchema,
    body: AddTeamMemberRequestSchema,
    responses: { 200: TeamSchema, 404: problem },
  }),
  removeMember: defineRoute({
    method: 'DELETE',
    path: '/api/v1/teams/:id/members/:userId',
    summary: 'Remove a user from a team',
    permission: 'tenancy:admin',
    params: TeamMemberParamsSchema,
    responses: { 200: TeamSchema, 404: problem },
  }),
  grant: defineRoute({
    method: 'POST',
    path: '/api/v1/teams/:id/grants',
    summary: 'Grant a team `full` or `read-only` access to a project (or `*`)',
    permission: 'tenancy:admin',
    params: IdParamsSchema,
    body: GrantRequestSchema,
    responses: { 200: TeamSchema, 404: problem },
  }),
  revokeGrant: defineRoute({
    method: 'DELETE',
    path: '/api/v1/teams/:id/grants/:project',
    summary: "Withdraw a team's grant on a project (or `*`)",
    permission: 'tenancy:admin',
    params: TeamGrantParamsSchema,
    responses: { 200: TeamSchema, 404: problem },
  }),
};
