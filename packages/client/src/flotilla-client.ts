import { apiRoutes, TERMINAL_STATES } from '@flotilla/protocol';
import type { AnyRouteContract, ApiRoutes, Job, LoginResponse, LogLine } from '@flotilla/protocol';
import { followEvents, type FollowEventsOptions } from './event-follow.js';
import { streamEvents, type EventStreamEnd, type StreamEventsOptions } from './event-stream.js';
import { HttpClient, type HttpClientOptions } from './http-client.js';
import { streamJob, type FollowJobOptions } from './job-follow.js';
import { createRouteApi, type RouteApi } from './route-api.js';
import { callRoute, type RouteArgs, type RouteResult } from './route-call.js';

export interface WaitForJobOptions extends FollowJobOptions {
  /** Poll interval when the server cannot stream. @default 100 */
  intervalMs?: number;
}

/**
 * Typed client for the Flotilla control plane, used by the CLI, tests and later the UI. Every
 * `/api/v1` route is a method of `api`, derived from the route contracts (`api.jobs.get({ params:
 * { id } })`); what is here besides is what no single route does: keeping the login's token,
 * following a job or the UI events live.
 */
export class FlotillaClient {
  /** Every route of `apiRoutes`, by area and name, with its input and answer typed by its contract. */
  readonly api: RouteApi<ApiRoutes>;
  private readonly http: HttpClient;

  constructor(options: HttpClientOptions) {
    this.http = new HttpClient(options);
    this.api = createRouteApi(this.http, apiRoutes);
  }

  get baseUrl(): string {
    return this.http.baseUrl;
  }

  get token(): string | undefined {
    return this.http.token;
  }

  /** Calls any route contract, e.g. a platform route outside `/api/v1` (`platformRoutes.health.ready`). */
  call<C extends AnyRouteContract>(contract: C, ...args: RouteArgs<C>): Promise<RouteResult<C>> {
    return callRoute(this.http, contract, args[0]);
  }

  /** Logs in and keeps the returned token for later calls. */
  async login(username: string, password: string): Promise<LoginResponse> {
    const result = await this.api.auth.login({ body: { username, password } });
    this.http.token = result.token;
    return result;
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

  /**
   * Reads the UI event stream (`GET /api/v1/events`) once, until it ends; resolves with the id
   * to resume after. See `followEvents` for the loop that reconnects.
   */
  streamEvents(options: StreamEventsOptions): Promise<EventStreamEnd> {
    return streamEvents(this.http, options);
  }

  /**
   * Follows the UI event stream until `options.signal` aborts, reconnecting with backoff and
   * resuming after the last event id, so no event is missed or repeated across drops.
   */
  followEvents(options: FollowEventsOptions): Promise<void> {
    return followEvents(this.http, options);
  }

  /** Waits for a job to end, delivering its log lines in order (same as `followJob`). */
  waitForJob(id: string, options: WaitForJobOptions = {}): Promise<Job> {
    return this.followJob(id, options);
  }

  private async pollJob(id: string, options: WaitForJobOptions): Promise<Job> {
    const interval = options.intervalMs ?? 100;
    let after = options.after ?? 0;
    let lastState = '';
    for (;;) {
      options.signal?.throwIfAborted();
      const job = await this.api.jobs.get({ params: { id } });
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
      const page = await this.api.logs.list({ params: { id }, query: { after: cursor, limit: 1000 } });
      for (const line of page.items) {
        onLog?.(line);
        cursor = Math.max(cursor, line.seq);
      }
      if (page.items.length < 1000) return cursor;
    }
  }
}
