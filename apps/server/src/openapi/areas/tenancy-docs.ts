import { z } from 'zod';
import {
  AddTeamMemberRequestSchema,
  ApiTokenSchema,
  CreateApiTokenRequestSchema,
  CreatedApiTokenSchema,
  CreateProjectRequestSchema,
  CreateTeamRequestSchema,
  CreateTenantRequestSchema,
  CreateUserRequestSchema,
  GrantRequestSchema,
  IdParamsSchema,
  ProjectSchema,
  TeamSchema,
  TenantSchema,
  UserAccountSchema,
} from '@flotilla/protocol';
import { apiRoute } from '../route-doc.js';
import type { RouteDoc } from '../route-doc.js';

const params = IdParamsSchema;
const list = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item) });

/** Tenants, projects, users, teams with their grants, and API tokens. */
export const tenancyDocs: RouteDoc[] = [
  apiRoute('POST', '/tenants', 'Create a tenant (server owner)', {
    body: CreateTenantRequestSchema,
    responses: { 201: TenantSchema, 403: 'problem', 409: 'problem' },
  }),
  apiRoute('GET', '/tenants', 'Tenants visible to the caller', { responses: { 200: list(TenantSchema) } }),
  apiRoute('POST', '/projects', 'Create a project in the tenant (tenant admin)', {
    body: CreateProjectRequestSchema,
    responses: { 201: ProjectSchema, 403: 'problem', 409: 'problem' },
  }),
  apiRoute('GET', '/projects', 'Projects of the tenant', { responses: { 200: list(ProjectSchema) } }),
  apiRoute('POST', '/users', 'Create a user (tenant admin)', {
    body: CreateUserRequestSchema,
    responses: { 201: UserAccountSchema, 403: 'problem', 409: 'problem' },
  }),
  apiRoute('GET', '/users', 'Users of the tenant', { responses: { 200: list(UserAccountSchema) } }),
  apiRoute('POST', '/teams', 'Create a team (tenant admin)', {
    body: CreateTeamRequestSchema,
    responses: { 201: TeamSchema, 403: 'problem', 409: 'problem' },
  }),
  apiRoute('GET', '/teams', 'Teams of the tenant with members and grants', { responses: { 200: list(TeamSchema) } }),
  apiRoute('POST', '/teams/:id/members', 'Add a user to a team', {
    params,
    body: AddTeamMemberRequestSchema,
    responses: { 200: TeamSchema, 404: 'problem' },
  }),
  apiRoute('POST', '/teams/:id/grants', 'Grant a team `full` or `read-only` access to a project (or `*`)', {
    params,
    body: GrantRequestSchema,
    responses: { 200: TeamSchema, 404: 'problem' },
  }),
  apiRoute('POST', '/api-tokens', 'Create a personal or service API token (secret shown once)', {
    tag: 'auth',
    body: CreateApiTokenRequestSchema,
    responses: { 201: CreatedApiTokenSchema, 403: 'problem' },
  }),
  apiRoute('GET', '/api-tokens', 'API tokens of the caller (all of the tenant for admins)', {
    tag: 'auth',
    responses: { 200: list(ApiTokenSchema) },
  }),
  apiRoute('DELETE', '/api-tokens/:id', 'Revoke an API token', {
    tag: 'auth',
    params,
    responses: { 204: null, 404: 'problem' },
  }),
];
