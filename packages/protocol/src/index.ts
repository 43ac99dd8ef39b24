export { errorCatalogue, ErrorCodeSchema, ProblemSchema, FlotillaError, isFlotillaError } from './errors.js';
export type { ErrorCode, Problem, FlotillaErrorOptions } from './errors.js';
export { PROTOCOL_VERSION, FLOTILLA_VERSION } from './version.js';
export { INT32_MAX, INT32_MIN, NUL_MESSAGE, Int32Schema, identifierSchema, nulFreeSchema, storableExitCode, storableText } from './stored-values.js';
export { parseDuration, DurationSchema } from './duration.js';
export {
  ChallengeFrameSchema,
  HelloFrameSchema,
  WelcomeFrameSchema,
  RefusedFrameSchema,
  PingFrameSchema,
  PongFrameSchema,
  JobEnvelopeSchema,
  JobPayloadSchema,
  JobOfferFrameSchema,
  JobAckFrameSchema,
  JobCancelFrameSchema,
  JobRejectFrameSchema,
  RunStateSchema,
  LogStreamSchema,
  RunEventSchema,
  RunEventFrameSchema,
  RunEventBatchFrameSchema,
  EventAckFrameSchema,
  ErrorFrameSchema,
  ServerFrameSchema,
  AgentFrameSchema,
  agentAuthMessage,
  serverAuthMessage,
  ChannelCloseCode,
  MAX_AGENT_FRAME_BYTES,
} from './agent-channel.js';
export type { JobEnvelope, JobPayload, RunState, RunEvent, ServerFrame, AgentFrame } from './agent-channel.js';
export { decodeAgentFrame, decodeServerFrame } from './channel/frame-codec.js';
export type { DecodedFrame, FrameData } from './channel/frame-codec.js';
export type { Transport } from './channel/transport.js';
export { createLinkedTransports } from './channel/in-memory-transport.js';
export { TimestampSchema, LabelsSchema, PageQuerySchema, pageSchema, IdParamsSchema } from './api/common.js';
export type { Labels, PageQuery, Page } from './api/common.js';
export { LoginRequestSchema, UserSchema, LoginResponseSchema } from './api/auth.js';
export type { LoginRequest, User, LoginResponse } from './api/auth.js';
export {
  ResourceNameSchema,
  TenantSchema,
  CreateTenantRequestSchema,
  ProjectSchema,
  CreateProjectRequestSchema,
  RoleSchema,
  UserAccountSchema,
  CreateUserRequestSchema,
  AccessSchema,
  TeamGrantSchema,
  TeamSchema,
  CreateTeamRequestSchema,
  AddTeamMemberRequestSchema,
  GrantRequestSchema,
  ApiTokenKindSchema,
  CreateApiTokenRequestSchema,
  ApiTokenSchema,
  CreatedApiTokenSchema,
  AgentListQuerySchema,
  UpdateAgentRequestSchema,
} from './api/tenancy.js';
export type {
  Tenant,
  CreateTenantRequest,
  Project,
  CreateProjectRequest,
  Role,
  UserAccount,
  CreateUserRequest,
  Access,
  TeamGrant,
  Team,
  CreateTeamRequest,
  AddTeamMemberRequest,
  GrantRequest,
  CreateApiTokenRequest,
  ApiToken,
  CreatedApiToken,
  AgentListQuery,
  UpdateAgentRequest,
} from './api/tenancy.js';
export {
  EnrollmentPolicySchema,
  CreateEnrollmentTokenRequestSchema,
  EnrollmentTokenSchema,
  CreatedEnrollmentTokenSchema,
  AgentFactsSchema,
  EnrollRequestSchema,
  EnrollResponseSchema,
  EnrollProofSchema,
  ENROLL_PROOF_MAX_SKEW_MS,
  enrollProofMessage,
} from './api/enrollment.js';
export type {
  EnrollmentPolicy,
  CreateEnrollmentTokenRequest,
  EnrollmentToken,
  CreatedEnrollmentToken,
  AgentFacts,
  EnrollRequest,
  EnrollResponse,
  EnrollProof,
  EnrollProofFields,
} from './api/enrollment.js';
export { AgentStatusSchema, AgentSchema } from './api/agents.js';
export type { AgentStatus, Agent } from './api/agents.js';
export {
  CountOrPercentSchema,
  RolloutSchema,
  AgentTargetSchema,
  SelectorTargetSchema,
  LogSearchHitSchema,
  LogSearchQuerySchema,
  JobTargetSchema,
  CreateJobRequestSchema,
  JobStateSchema,
  RunSchema,
  JobSchema,
  LogLineSchema,
  LogsQuerySchema,
  ListJobsQuerySchema,
  RerunJobRequestSchema,
  TERMINAL_STATES,
} from './api/jobs.js';
export type { CountOrPercent, Rollout, LogSearchHit, JobTarget, CreateJobRequest, JobState, Run, Job, LogLine } from './api/jobs.js';
export { ReadinessSchema } from './api/health.js';
export type { Readiness } from './api/health.js';
export { SecretNameSchema, SECRET_VALUE_MAX_BYTES, SetSecretRequestSchema, SecretNameParamsSchema, SecretSchema, SecretListSchema } from './api/secrets.js';
export type { SetSecretRequest, Secret, SecretList } from './api/secrets.js';
export { AuditEventSchema, AuditQuerySchema, AuditPageSchema, AuditVerifyResultSchema } from './api/audit.js';
export type { AuditEvent, AuditQuery, AuditVerifyResult } from './api/audit.js';
export {
  WorkflowDocumentRequestSchema,
  WorkflowChangeSchema,
  WorkflowSchema,
  WorkflowDetailSchema,
  WorkflowVersionSummarySchema,
  WorkflowVersionSchema,
  WorkflowVersionParamsSchema,
  WorkflowDiffQuerySchema,
  WorkflowDiffSchema,
  WorkflowProblemSchema,
  WorkflowValidationSchema,
} from './api/workflows.js';
export type {
  WorkflowDocumentRequest,
  WorkflowChange,
  Workflow,
  WorkflowDetail,
  WorkflowVersionSummary,
  WorkflowVersion,
  WorkflowDiffQuery,
  WorkflowDiff,
  WorkflowProblem,
  WorkflowValidation,
} from './api/workflows.js';
