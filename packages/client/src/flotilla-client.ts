import {
  AgentSchema,
  CreatedEnrollmentTokenSchema,
  EnrollmentTokenSchema,
  JobSchema,
  LogSearchHitSchema,
  LoginResponseSchema,
  LogLineSchema,
  TERMINAL_STATES,
  UserSchema,
  pageSchema,
  type Agent,
  type CreateEnrollmentTokenRequest,
  type CreateJobRequest,
  type CreatedEnrollmentToken,
  type EnrollmentToken,
  type Job,
  type JobState,
  type LogSearchHit,
  type LoginResponse,
  type LogLine,
  type Page,
  type User,
} from '@flotilla/protocol';
import {
  AuditPageSchema,
  AuditVerifyResultSchema,
  SecretListSchema,
  SecretSchema,
  type AuditEvent,
  type AuditVerifyResult,
  type Secret,
} from '@flotilla/protocol';
import {
  WorkflowDetailSchema,
  WorkflowDiffSchema,
  WorkflowSchema,
  WorkflowValidationSchema,
  WorkflowVersionSchema,
  WorkflowVersionSummarySchema,
  type Workflow,
  type WorkflowDetail,
  type WorkflowDiff,
  type WorkflowValidation,
  type WorkflowVersion,
  type WorkflowVersionSummary,
} from '@flotilla/protocol';
import {
  ApiTokenSchema,
  CreatedApiTokenSchema,
  ProjectSchema,
  TeamSchema,
  TenantSchema,
  UserAccountSchema,
  type AgentStatus,
  type ApiToken,
  type CreateApiTokenRequest,
  type CreatedApiToken,
  type GrantRequest,
  type Labels,
  type Project,
  type Team,
  type Tenant,
  type UserAccount,
} from '@flotilla/protocol';
import { z } from 'zod';
import { HttpClient, type HttpClientOptions } from './http-client.js';
import { streamJob, type FollowJobOptions } from './job-follow.js';

const AgentPageSchema = pageSchema(AgentSchema);
const EnrollmentTokenPageSchema = pageSchema(EnrollmentTokenSchema);
const JobPageSchema = pageSchema(JobSchema);
const LogPageSchema = pageSchema(LogLineSchema);
const LogSearchPageSchema = pageSchema(LogSearchHitSchema);
const WorkflowPageSchema = pageSchema(WorkflowSchema);
const WorkflowVersionPageSchema = pageSchema(WorkflowVersionSummarySchema);

/** `{ items }` lists (directories that are never long enough to page). */
function itemsOf<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item) });
}

export interface WaitForJobOptions extends FollowJobOptions {
  /** Poll interval when the server cannot stream. @default 100 */
  intervalMs?: number;
}

/** Typed client for the Flotilla REST API (`/api/v1`), used by the CLI, tests and later the UI. */
export class FlotillaClient {
  private readonly http: HttpClient;

  constructor(options: HttpClientOptions) {
    this.http = new HttpClient(options);
  }

  get baseUrl(): string {
    return this.http.baseUrl;
  }

  /** Logs in and keeps the returned token for later calls. */
  async login(username: string, password: string): Promise<LoginResponse> {
    const result = await this.http.request({
      method: 'POST',
      path: '/api/v1/auth/login',
      body: { username, password },
      schema: LoginResponseSchema,
    });
    this.http.token = result.token;
    return result;
  }

  get token(): string | undefined {
    return this.http.token;
  }

  me(): Promise<User> {
    return this.http.request({ path: '/api/v1/auth/me', schema: UserSchema });
  }

  listAgents(query: { limit?: number; cursor?: string; status?: AgentStatus } = {}): Promise<Page<Agent>> {
    return this.http.request({ path: '/api/v1/agents', query, schema: AgentPageSchema });
  }

  getAgent(id: string): Promise<Agent> {
    return this.http.request({ path: `/api/v1/agents/${encodeURIComponent(id)}`, schema: AgentSchema });
  }

  /** A trust change: `approve`, `reject` (pending only), `revoke`, `disable` or `enable`. */
  changeAgentTrust(id: string, action: 'approve' | 'reject' | 'revoke' | 'disable' | 'enable'): Promise<Agent> {
    return this.http.request({ method: 'POST', path: `/api/v1/agents/${encodeURIComponent(id)}/${action}`, schema: AgentSchema });
  }

  /** Replaces the agent's labels. */
  setAgentLabels(id: string, labels: Labels): Promise<Agent> {
    return this.http.request({ method: 'PATCH', path: `/api/v1/agents/${encodeURIComponent(id)}`, body: { labels }, schema: AgentSchema });
  }

  /** Deletes the agent's enrolment: coming back needs a new enrolment token. */
  async deleteAgent(id: string): Promise<void> {
    await this.http.request({ method: 'DELETE', path: `/api/v1/agents/${encodeURIComponent(id)}` });
  }

  /** Creates an API token; the secret is in the answer, once. */
  createApiToken(request: CreateApiTokenRequest): Promise<CreatedApiToken> {
    return this.http.request({ method: 'POST', path: '/api/v1/api-tokens', body: request, schema: CreatedApiTokenSchema });
  }

  async listApiTokens(): Promise<ApiToken[]> {
    return (await this.http.request({ path: '/api/v1/api-tokens', schema: itemsOf(ApiTokenSchema) })).items;
  }

  async revokeApiToken(id: string): Promise<void> {
    await this.http.request({ method: 'DELETE', path: `/api/v1/api-tokens/${encodeURIComponent(id)}` });
  }

  /** Creates a tenant with its `default` project (server owner). */
  createTenant(name: string): Promise<Tenant> {
    return this.http.request({ method: 'POST', path: '/api/v1/tenants', body: { name }, schema: TenantSchema });
  }

  async listTenants(): Promise<Tenant[]> {
    return (await this.http.request({ path: '/api/v1/tenants', schema: itemsOf(TenantSchema) })).items;
  }

  createProject(name: string): Promise<Project> {
    return this.http.request({ method: 'POST', path: '/api/v1/projects', body: { name }, schema: ProjectSchema });
  }

  async listProjects(): Promise<Project[]> {
    return (await this.http.request({ path: '/api/v1/projects', schema: itemsOf(ProjectSchema) })).items;
  }

  /** Creates a user in `tenant` (default: the caller's tenant). */
  createUser(request: { username: string; password: string; tenant?: string; role?: 'admin' | 'member' }): Promise<UserAccount> {
    return this.http.request({ method: 'POST', path: '/api/v1/users', body: request, schema: UserAccountSchema });
  }

  async listUsers(): Promise<UserAccount[]> {
    return (await this.http.request({ path: '/api/v1/users', schema: itemsOf(UserAccountSchema) })).items;
  }

  createTeam(name: string): Promise<Team> {
    return this.http.request({ method: 'POST', path: '/api/v1/teams', body: { name }, schema: TeamSchema });
  }

  async listTeams(): Promise<Team[]> {
    return (await this.http.request({ path: '/api/v1/teams', schema: itemsOf(TeamSchema) })).items;
  }

  addTeamMember(teamId: string, userId: string): Promise<Team> {
    return this.http.request({ method: 'POST', path: `/api/v1/teams/${encodeURIComponent(teamId)}/members`, body: { userId }, schema: TeamSchema });
  }

  /** Grants a team `full` or `read-only` access on a project name, or `*` for all projects. */
  grantTeam(teamId: string, grant: GrantRequest): Promise<Team> {
    return this.http.request({ method: 'POST', path: `/api/v1/teams/${encodeURIComponent(teamId)}/grants`, body: grant, schema: TeamSchema });
  }

  createEnrollmentToken(request: CreateEnrollmentTokenRequest = {}): Promise<CreatedEnrollmentToken> {
    return this.http.request({
      method: 'POST',
      path: '/api/v1/enrollment-tokens',
      body: request,
      schema: CreatedEnrollmentTokenSchema,
    });
  }

  listEnrollmentTokens(): Promise<Page<EnrollmentToken>> {
    return this.http.request({ path: '/api/v1/enrollment-tokens', schema: EnrollmentTokenPageSchema });
  }

  async revokeEnrollmentToken(id: string): Promise<void> {
    await this.http.request({ method: 'DELETE', path: `/api/v1/enrollment-tokens/${encodeURIComponent(id)}` });
  }

  /** Creates or replaces a project secret. The value goes in the body only; the answer never contains it. */
  setSecret(name: string, value: string): Promise<Secret> {
    return this.http.request({ method: 'POST', path: '/api/v1/secrets', body: { name, value }, schema: SecretSchema });
  }

  /** Names and times of the project's secrets (values are write-only). */
  async listSecrets(): Promise<Secret[]> {
    return (await this.http.request({ path: '/api/v1/secrets', schema: SecretListSchema })).items;
  }

  async deleteSecret(name: string): Promise<void> {
    await this.http.request({ method: 'DELETE', path: `/api/v1/secrets/${encodeURIComponent(name)}` });
  }

  /** One page of audit records, newest first (admins). */
  listAudit(query: { action?: string; actor?: string; object?: string; since?: string; until?: string; limit?: number; cursor?: string } = {}): Promise<Page<AuditEvent>> {
    return this.http.request({ path: '/api/v1/audit', query, schema: AuditPageSchema });
  }

  /** Re-checks the tenant's audit hash chain on the server. */
  verifyAudit(): Promise<AuditVerifyResult> {
    return this.http.request({ path: '/api/v1/audit/verify', schema: AuditVerifyResultSchema });
  }

  createJob(request: CreateJobRequest): Promise<Job> {
    return this.http.request({ method: 'POST', path: '/api/v1/jobs', body: request, schema: JobSchema });
  }

  getJob(id: string): Promise<Job> {
    return this.http.request({ path: `/api/v1/jobs/${encodeURIComponent(id)}`, schema: JobSchema });
  }

  listJobs(query: { state?: JobState; limit?: number; cursor?: string } = {}): Promise<Page<Job>> {
    return this.http.request({ path: '/api/v1/jobs', query, schema: JobPageSchema });
  }

  /** Cancels a job: queued runs end at once, running ones are stopped (202, the job as it is now). */
  cancelJob(id: string): Promise<Job> {
    return this.http.request({ method: 'POST', path: `/api/v1/jobs/${encodeURIComponent(id)}/cancel`, schema: JobSchema });
  }

  /** Submits a job again as a new job: from the start, or resuming the failed runs from their failed step. */
  rerunJob(id: string, options: { from?: 'start' | 'failed' } = {}): Promise<Job> {
    return this.http.request({
      method: 'POST',
      path: `/api/v1/jobs/${encodeURIComponent(id)}/rerun`,
      body: options,
      schema: JobSchema,
    });
  }

  /** Full-text search over the log lines of every run the caller may see. */
  searchLogs(query: { q: string; limit?: number; cursor?: string }): Promise<Page<LogSearchHit>> {
    return this.http.request({ path: '/api/v1/logs/search', query, schema: LogSearchPageSchema });
  }

  getJobLogs(id: string, query: { after?: number; limit?: number } = {}): Promise<Page<LogLine>> {
    return this.http.request({ path: `/api/v1/jobs/${encodeURIComponent(id)}/logs`, query, schema: LogPageSchema });
  }

  /**
   * Follows a job live until it reaches a terminal state and returns the final job: log lines and
   * state changes arrive over SSE (`/jobs/:id/logs?follow=1`); against a server that cannot
   * stream, it polls instead with the same callbacks.
   */
  async followJob(id: string, options: WaitForJobOptions = {}): Promise<Job> {
    const streamed = await streamJob(this.http, id, options);
    return streamed ?? this.pollJob(id, options);
  }

  /** Waits for a job to end, delivering its log lines in order (same as `followJob`). */
  waitForJob(id: string, options: WaitForJobOptions = {}): Promise<Job> {
    return this.followJob(id, options);
  }

  /** Creates a workflow from a YAML document (the name comes from the document). */
  createWorkflow(document: string): Promise<WorkflowDetail> {
    return this.http.request({ method: 'POST', path: '/api/v1/workflows', body: { document }, schema: WorkflowDetailSchema });
  }

  /** Saves a new version of a workflow. */
  updateWorkflow(id: string, document: string): Promise<WorkflowDetail> {
    return this.http.request({ method: 'PUT', path: `/api/v1/workflows/${encodeURIComponent(id)}`, body: { document }, schema: WorkflowDetailSchema });
  }

  listWorkflows(query: { limit?: number; cursor?: string } = {}): Promise<Page<Workflow>> {
    return this.http.request({ path: '/api/v1/workflows', query, schema: WorkflowPageSchema });
  }

  /** The latest version of a workflow, with its document. */
  getWorkflow(id: string): Promise<WorkflowDetail> {
    return this.http.request({ path: `/api/v1/workflows/${encodeURIComponent(id)}`, schema: WorkflowDetailSchema });
  }

  async deleteWorkflow(id: string): Promise<void> {
    await this.http.request({ method: 'DELETE', path: `/api/v1/workflows/${encodeURIComponent(id)}` });
  }

  listWorkflowVersions(id: string, query: { limit?: number; cursor?: string } = {}): Promise<Page<WorkflowVersionSummary>> {
    return this.http.request({ path: `/api/v1/workflows/${encodeURIComponent(id)}/versions`, query, schema: WorkflowVersionPageSchema });
  }

  getWorkflowVersion(id: string, version: number): Promise<WorkflowVersion> {
    return this.http.request({ path: `/api/v1/workflows/${encodeURIComponent(id)}/versions/${version}`, schema: WorkflowVersionSchema });
  }

  /** Saves the content of an old version as a new version. */
  restoreWorkflowVersion(id: string, version: number): Promise<WorkflowDetail> {
    return this.http.request({ method: 'POST', path: `/api/v1/workflows/${encodeURIComponent(id)}/versions/${version}/restore`, schema: WorkflowDetailSchema });
  }

  /** Unified diff between two versions (`to` defaults to the latest). */
  diffWorkflow(id: string, from: number, to?: number): Promise<WorkflowDiff> {
    return this.http.request({ path: `/api/v1/workflows/${encodeURIComponent(id)}/diff`, query: { from, ...(to === undefined ? {} : { to }) }, schema: WorkflowDiffSchema });
  }

  /** Validates a document on the server without saving it. */
  validateWorkflow(document: string): Promise<WorkflowValidation> {
    return this.http.request({ method: 'POST', path: '/api/v1/workflows/validate', body: { document }, schema: WorkflowValidationSchema });
  }

  private async pollJob(id: string, options: WaitForJobOptions): Promise<Job> {
    const interval = options.intervalMs ?? 100;
    let after = options.after ?? 0;
    let lastState = '';
    for (;;) {
      options.signal?.throwIfAborted();
      const job = await this.getJob(id);
      after = await this.drainLogs(id, after, options.onLog);
      const state = JSON.stringify(job.runs.map((r) => r.state)) + job.state;
      if (state !== lastState) options.onState?.(job);
      lastState = state;
      if (TERMINAL_STATES.has(job.state)) {
        // Lines stored between the two reads above arrive before the final state is returned.
        await this.drainLogs(id, after, options.onLog);
        return job;
      }
      await new Promise((resolve) => setTimeout(resolve, interval));
    }
  }
  private async drainLogs(id: string, after: number, onLog: ((line: LogLine) => void) | undefined): Promise<number> {
    let cursor = after;
    for (;;) {
      const page = await this.getJobLogs(id, { after: cursor, limit: 1000 });
      for (const line of page.items) {
        onLog?.(line);
        cursor = Math.max(cursor, line.seq);
      }
      if (page.items.length < 1000) return cursor;
    }
  }
}
