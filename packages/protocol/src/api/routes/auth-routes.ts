import { LoginRequestSchema, LoginResponseSchema, SessionInfoSchema, UserSchema } from '../auth.js';
import { IdParamsSchema, itemsSchema } from '../common.js';
import { defineRoute } from '../contract/define-route.js';
import { noBody, problem } from '../contract/responses.js';
import { ApiTokenSchema, CreateApiTokenRequestSchema, CreatedApiTokenSchema } from '../tenancy.js';

/** Sessions: log in, log out, who am I. */
export const authRoutes = {
  login: defineRoute({
    method: 'POST',
    path: '/api/v1/auth/login',
    summary: 'Log in: returns a bearer token (rate-limited)',
    permission: 'public',
    body: LoginRequestSchema,
    responses: { 200: LoginResponseSchema, 401: problem, 429: problem },
  }),
  // Ending one's own session is allowed to every principal, read-only tokens included.
  logout: defineRoute({
    method: 'POST',
    path: '/api/v1/auth/logout',
    summary: 'End the current session',
    permission: 'self:read',
    responses: { 204: noBody },
  }),
  me: defineRoute({
    method: 'GET',
    path: '/api/v1/auth/me',
    summary: 'The authenticated user',
    permission: 'self:read',
    responses: { 200: UserSchema },
  }),
  session: defineRoute({
    method: 'GET',
    path: '/api/v1/auth/session',
    summary: 'The caller, its tenant and project, the projects it may read and its permissions there',
    permission: 'self:read',
    responses: { 200: SessionInfoSchema, 404: problem },
  }),
};

/** Personal tokens for oneself, service tokens for admins. */
export const apiTokenRoutes = {
  create: defineRoute({
    method: 'POST',
    path: '/api/v1/api-tokens',
    summary: 'Create a personal or service API token (secret shown once)',
    tag: 'auth',
    permission: 'self:write',
    body: CreateApiTokenRequestSchema,
    responses: { 201: CreatedApiTokenSchema, 403: problem },
  }),
  list: defineRoute({
    method: 'GET',
    path: '/api/v1/api-tokens',
    summary: 'API tokens of the caller (all of the tenant for admins)',
    tag: 'auth',
    permission: 'self:read',
    responses: { 200: itemsSchema(ApiTokenSchema) },
  }),
  revoke: defineRoute({
    method: 'DELETE',
    path: '/api/v1/api-tokens/:id',
    summary: 'Revoke an API token',
    tag: 'auth',
    permission: 'self:write',
    params: IdParamsSchema,
    responses: { 204: noBody, 404: problem },
  }),
};
