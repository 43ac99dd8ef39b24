import {
  AgentListQuerySchema,
  AgentSchema,
  UpdateAgentRequestSchema,
  CreateEnrollmentTokenRequestSchema,
  CreatedEnrollmentTokenSchema,
  EnrollmentTokenSchema,
  EnrollRequestSchema,
  EnrollResponseSchema,
  IdParamsSchema,
  LoginRequestSchema,
  LoginResponseSchema,
  PageQuerySchema,
  UserSchema,
  pageSchema,
} from '@flotilla/protocol';
import { apiRoute } from '../route-doc.js';
import type { RouteDoc } from '../route-doc.js';

const params = IdParamsSchema;

/** Authentication, enrolment tokens and agents. */
export const accessDocs: RouteDoc[] = [
  apiRoute('POST', '/auth/login', 'Log in: returns a bearer token (rate-limited)', {
    public: true,
    body: LoginRequestSchema,
    responses: { 200: LoginResponseSchema, 401: 'problem', 429: 'problem' },
  }),
  apiRoute('POST', '/auth/logout', 'End the current session', { responses: { 204: null } }),
  apiRoute('GET', '/auth/me', 'The authenticated user', { responses: { 200: UserSchema } }),
  apiRoute('POST', '/enrollment-tokens', 'Create an enrolment token (secret shown once)', {
    tag: 'agents',
    body: CreateEnrollmentTokenRequestSchema,
    responses: { 201: CreatedEnrollmentTokenSchema },
  }),
  apiRoute('GET', '/enrollment-tokens', 'List enrolment tokens', {
    tag: 'agents',
    query: PageQuerySchema,
    responses: { 200: pageSchema(EnrollmentTokenSchema) },
  }),
  apiRoute('DELETE', '/enrollment-tokens/:id', 'Revoke an enrolment token', {
    tag: 'agents',
    params,
    responses: { 204: null, 404: 'problem' },
  }),
  apiRoute('POST', '/agents/enroll', 'Enrol an agent with an enrolment token (agent only)', {
    public: true,
    body: EnrollRequestSchema,
    responses: { 200: EnrollResponseSchema, 401: 'problem', 426: 'problem' },
  }),
  apiRoute('GET', '/agents', 'List agents (filter by status)', {
    query: AgentListQuerySchema,
    responses: { 200: pageSchema(AgentSchema) },
  }),
  apiRoute('GET', '/agents/:id', 'Get an agent', { params, responses: { 200: AgentSchema, 404: 'problem' } }),
  apiRoute('POST', '/agents/:id/approve', 'Approve a pending agent', {
    params,
    responses: { 200: AgentSchema, 404: 'problem' },
  }),
  apiRoute('POST', '/agents/:id/revoke', 'Revoke an agent (disconnects it)', {
    params,
    responses: { 200: AgentSchema, 404: 'problem' },
  }),
  apiRoute('POST', '/agents/:id/reject', 'Reject a pending agent', {
    params,
    responses: { 200: AgentSchema, 404: 'problem' },
  }),
  apiRoute('POST', '/agents/:id/disable', 'Disable an agent (disconnects it; it may not reconnect)', {
    params,
    responses: { 200: AgentSchema, 404: 'problem' },
  }),
  apiRoute('POST', '/agents/:id/enable', 'Enable a disabled agent', {
    params,
    responses: { 200: AgentSchema, 404: 'problem' },
  }),
  apiRoute('PATCH', '/agents/:id', 'Edit an agent (labels)', {
    params,
    body: UpdateAgentRequestSchema,
    responses: { 200: AgentSchema, 404: 'problem' },
  }),
  apiRoute('DELETE', '/agents/:id', 'Delete an agent record (disconnects it)', {
    params,
    responses: { 204: null, 404: 'problem' },
  }),
];
