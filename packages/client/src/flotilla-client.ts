import {
  AgentSchema,
  CreatedEnrollmentTokenSchema,
  EnrollmentTokenSchema,
  JobSchema,
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
  type LoginResponse,
  type LogLine,
  type Page,
  type User,
} from '@flotilla/protocol';
import { HttpClient, type HttpClientOptions } from './http-client.js';

const AgentPageSchema = pageSchema(AgentSchema);
const EnrollmentTokenPageSchema = pageSchema(EnrollmentTokenSchema);
const JobPageSchema = pageSchema(JobSchema);
const LogPageSchema = pageSchema(LogLineSchema);

export interface WaitForJobOptions {
  /** Called with each new log line, in order. */
  onLog?: (line: LogLine) => void;
  /** Poll interval. @default 100 */
  intervalMs?: number;
  signal?: AbortSignal;
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

  listAgents(query: { limit?: number; cursor?: string } = {}): Promise<Page<Agent>> {
    return this.http.request({ path: '/api/v1/agents', query, schema: AgentPageSchema });
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

  createJob(request: CreateJobRequest): Promise<Job> {
    return this.http.request({ method: 'POST', path: '/api/v1/jobs', body: request, schema: JobSchema });
  }

  getJob(id: string): Promise<Job> {
    return this.http.request({ path: `/api/v1/jobs/${encodeURIComponent(id)}`, schema: JobSchema });
  }

  listJobs(query: { limit?: number; cursor?: string } = {}): Promise<Page<Job>> {
    return this.http.request({ path: '/api/v1/jobs', query, schema: JobPageSchema });
  }

  getJobLogs(id: string, query: { after?: number; limit?: number } = {}): Promise<Page<LogLine>> {
    return this.http.request({ path: `/api/v1/jobs/${encodeURIComponent(id)}/logs`, query, schema: LogPageSchema });
  }

  /**
   * Polls a job until it reaches a terminal state, delivering its log lines in order.
   * Returns the final job.
   */
  async waitForJob(id: string, options: WaitForJobOptions = {}): Promise<Job> {
    const interval = options.intervalMs ?? 100;
    let after = 0;
    for (;;) {
      options.signal?.throwIfAborted();
      const job = await this.getJob(id);
      after = await this.drainLogs(id, after, options.onLog);
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
