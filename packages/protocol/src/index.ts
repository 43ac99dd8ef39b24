export { errorCatalogue, ErrorCodeSchema, ProblemSchema, FlotillaError, isFlotillaError } from './errors.js';
export type { ErrorCode, Problem, FlotillaErrorOptions } from './errors.js';
export { PROTOCOL_VERSION, MIN_AGENT_PROTOCOL_VERSION, FLOTILLA_VERSION } from './version.js';
export {
  StepStatusSchema,
  StepFailureSchema,
  FailureSchema,
  ReportedStepFailureSchema,
  ReportedFailureSchema,
  failureFromText,
  toFailure,
} from './failure.js';
export type { StepStatus, StepFailure, Failure } from './failure.js';
export {
  INT32_MAX,
  INT32_MIN,
  NUL_MESSAGE,
  Int32Schema,
  identifierSchema,
  nulFreeSchema,
  storableExitCode,
  storableText,
} from './stored-values.js';
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
  CalledWorkflowSchema,
  MAX_JOB_PAYLOAD_CHARS,
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
export type {
  JobEnvelope,
  JobPayload,
  CalledWorkflow,
  RunState,
  RunEvent,
  ServerFrame,
  AgentFrame,
} from './agent-channel.js';
export { decodeAgentFrame, decodeServerFrame } from './channel/frame-codec.js';
export type { DecodedFrame, FrameData } from './channel/frame-codec.js';
export type { Transport } from './channel/transport.js';
export { createLinkedTransports } from './channel/in-memory-transport.js';
export {
  TimestampSchema,
  LabelsSchema,
  LabelKeySchema,
  LABEL_KEY_PATTERN,
  LABEL_VALUE_MAX,
  PageQuerySchema,
  pageSchema,
  itemsSchema,
  IdParamsSchema,
} from './api/common.js';
export type { Labels, PageQuery, Page } from './api/common.js';
export { LoginRequestSchema, UserSchema, LoginResponseSchema, NamedRefSchema, SessionInfoSchema } from './api/auth.js';
export type { LoginRequest, User, LoginResponse, NamedRef, SessionInfo } from './api/auth.js';
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
  TeamMemberParamsSchema,
  TeamGrantParamsSchema,
  GrantRequestSchema,
  ApiTokenKindSchema,
  CreateApiTokenRequestSchema,
  ApiTokenSchema,
  CreatedApiTokenSchema,
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
export {
  AgentStatusSchema,
  AgentSchema,
  AgentSortSchema,
  AgentListQuerySchema,
  AgentConnectionEventSchema,
  BulkLabelRequestSchema,
  BulkLabelResponseSchema,
  UpdateAgentRequestSchema,
} from './api/agents.js';
export type {
  AgentStatus,
  Agent,
  AgentSort,
  AgentListQuery,
  AgentConnectionEvent,
  BulkLabelRequest,
  BulkLabelResponse,
  UpdateAgentRequest,
} from './api/agents.js';
export {
  parseLabelSelector,
  formatLabelSelector,
  matchesLabelSelector,
  LABEL_SELECTOR_MAX_LENGTH,
} from './api/label-selector.js';
export type { LabelSelectorParse } from './api/label-selector.js';
export {
  CountOrPercentSchema,
  RolloutSchema,
  AgentTargetSchema,
  SelectorTargetSchema,
  AgentsTargetSchema,
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
export type {
  CountOrPercent,
  Rollout,
  LogSearchHit,
  JobTarget,
  ListJobsQuery,
  RerunJobRequest,
  CreateJobRequest,
  JobState,
  Run,
  Job,
  LogLine,
} from './api/jobs.js';
export {
  RunStepStateSchema,
  RunStepSchema,
  RunDetailSchema,
  WorkflowStepSchema,
  RolloutProgressSchema,
  JobDetailSchema,
} from './api/job-detail.js';
export type { RunStepState, RunStep, RunDetail, WorkflowStep, RolloutProgress, JobDetail } from './api/job-detail.js';
export {
  AgentChangeSchema,
  AgentChangedUiEventSchema,
  AgentPendingUiEventSchema,
  JobCreatedUiEventSchema,
  RunChangedUiEventSchema,
  JobLogsUiEventSchema,
  StepChangedUiEventSchema,
  RolloutChangedUiEventSchema,
  UiEventSchema,
  UI_EVENT_TYPES,
  UiEventTypeSchema,
  EventStreamReadySchema,
  EventStreamResetSchema,
  EventStreamQuerySchema,
} from './api/events.js';
export type {
  AgentChange,
  UiEvent,
  UiEventType,
  EventStreamReady,
  EventStreamReset,
  EventStreamQuery,
} from './api/events.js';
export { HealthSchema, ReadinessSchema } from './api/health.js';
export type { Health, Readiness } from './api/health.js';
export {
  SecretNameSchema,
  SECRET_VALUE_MAX_BYTES,
  SetSecretRequestSchema,
  SecretNameParamsSchema,
  SecretSchema,
  SecretListSchema,
} from './api/secrets.js';
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
export { PERMISSIONS, PermissionSchema, isPermission } from './api/contract/permission.js';
export type { Permission, RoutePermission } from './api/contract/permission.js';
export { noBody, problem, media, isJsonResponse } from './api/contract/responses.js';
export type {
  EmptyResponse,
  ProblemResponse,
  MediaResponse,
  ResponseSpec,
  ResponseMap,
} from './api/contract/responses.js';
export { defineRoute } from './api/contract/define-route.js';
export type { HttpMethod, RouteContract, AnyRouteContract, RouteDeclaration } from './api/contract/define-route.js';
export { listRoutes, routePath, pathParameters } from './api/contract/route-table.js';
export type { RouteGroup, RouteTable, NamedRoute, PathValue } from './api/contract/route-table.js';
export type { RouteInput, WireObject, StatusOf, SuccessStatus } from './api/contract/route-types.js';
export { apiRoutes } from './api/routes/api-routes.js';
export type { ApiRoutes } from './api/routes/api-routes.js';
export { platformRoutes } from './api/routes/platform-routes.js';
