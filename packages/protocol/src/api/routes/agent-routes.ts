import {
  AgentConnectionEventSchema,
  AgentListQuerySchema,
  AgentSchema,
  BulkLabelRequestSchema,
  BulkLabelResponseSchema,
  UpdateAgentRequestSchema,
} from '../agents.js';
import { IdParamsSchema, PageQuerySchema, pageSchema } from '../common.js';
import { defineRoute } from '../contract/define-route.js';
import { noBody, problem } from '../contract/responses.js';
import {
  CreateEnrollmentTokenRequestSchema,
  CreatedEnrollmentTokenSchema,
  EnrollmentTokenSchema,
  EnrollRequestSchema,
  EnrollResponseSchema,
} from '../enrollment.js';

/** Enrolment tokens: the credential an agent enrols with. */
export const enrollmentTokenRoutes = {
  create: defineRoute({
    method: 'POST',
    path: '/api/v1/enrollment-tokens',
    summary: 'Create an enrolment token (secret shown once)',
    tag: 'agents',
    permission: 'agents:write',
    body: CreateEnrollmentTokenRequestSchema,
    bodyOptional: true,
    responses: { 201: CreatedEnrollmentTokenSchema },
  }),
  list: defineRoute({
    method: 'GET',
    path: '/api/v1/enrollment-tokens',
    summary: 'List enrolment tokens',
    tag: 'agents',
    permission: 'agents:read',
    query: PageQuerySchema,
    responses: { 200: pageSchema(EnrollmentTokenSchema) },
  }),
  revoke: defineRoute({
    method: 'DELETE',
    path: '/api/v1/enrollment-tokens/:id',
    summary: 'Revoke an enrolment token',
    tag: 'agents',
    permission: 'agents:write',
    params: IdParamsSchema,
    responses: { 204: noBody, 404: problem },
  }),
};

/** One trust change of an agent: approve, revoke, reject, disable or enable. */
function trustChange(action: string, summary: string) {
  return defineRoute({
    method: 'POST',
    path: `/api/v1/agents/:id/${action}`,
    summary,
    permission: 'agents:write',
    params: IdParamsSchema,
    responses: { 200: AgentSchema, 404: problem },
  });
}

/** Agents: enrolment (by the agent itself) and the trust lifecycle. */
export const agentRoutes = {
  enroll: defineRoute({
    method: 'POST',
    path: '/api/v1/agents/enroll',
    summary: 'Enrol an agent with an enrolment token (agent only)',
    // The enrolment token in the body is the credential.
    permission: 'public',
    body: EnrollRequestSchema,
    responses: { 200: EnrollResponseSchema, 401: problem, 426: problem },
  }),
  list: defineRoute({
    method: 'GET',
    path: '/api/v1/agents',
    summary: 'List agents: filter by status, label selector and free text; sort by name or last seen',
    permission: 'agents:read',
    query: AgentListQuerySchema,
    responses: { 200: pageSchema(AgentSchema), 400: problem },
  }),
  get: defineRoute({
    method: 'GET',
    path: '/api/v1/agents/:id',
    summary: 'Get an agent',
    permission: 'agents:read',
    params: IdParamsSchema,
    responses: { 200: AgentSchema, 404: problem },
  }),
  approve: trustChange('approve', 'Approve a pending agent'),
  revoke: trustChange('revoke', 'Revoke an agent (disconnects it)'),
  reject: trustChange('reject', 'Reject a pending agent'),
  disable: trustChange('disable', 'Disable an agent (disconnects it; it may not reconnect)'),
  enable: trustChange('enable', 'Enable a disabled agent'),
  update: defineRoute({
    method: 'PATCH',
    path: '/api/v1/agents/:id',
    summary: 'Edit an agent (labels)',
    permission: 'agents:write',
    params: IdParamsSchema,
    body: UpdateAgentRequestSchema,
    responses: { 200: AgentSchema, 404: problem },
  }),
  bulkLabel: defineRoute({
    method: 'POST',
    path: '/api/v1/agents/labels',
    summary: 'Set and remove labels on many agents in one transaction',
    permission: 'agents:write',
    body: BulkLabelRequestSchema,
    responses: { 200: BulkLabelResponseSchema, 404: problem },
  }),
  connections: defineRoute({
    method: 'GET',
    path: '/api/v1/agents/:id/connections',
    summary: "An agent's connection history, newest first (the last 100 connects and disconnects)",
    permission: 'agents:read',
    params: IdParamsSchema,
    query: PageQuerySchema,
    responses: { 200: pageSchema(AgentConnectionEventSchema), 404: problem },
  }),
  delete: defineRoute({
    method: 'DELETE',
    path: '/api/v1/agents/:id',
    summary: 'Delete an agent record (disconnects it)',
    permission: 'agents:write',
    params: IdParamsSchema,
    responses: { 204: noBody, 404: problem },
  }),
};
