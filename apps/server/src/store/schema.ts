import type { Generated } from 'kysely';

/*
 * Row types of the store, shared by both dialects. Portable column types only: text (times are
 * RFC 3339 UTC text, JSON is text) and integer (booleans are 0/1), so SQLite and PostgreSQL
 * return identical values.
 */

export interface TenantTable {
  id: string;
  name: string;
  created_at: string;
}

export interface ProjectTable {
  id: string;
  tenant_id: string;
  name: string;
  created_at: string;
}

export interface UserTable {
  id: string;
  tenant_id: string;
  username: string;
  password_hash: string;
  role: 'owner' | 'admin' | 'member';
  created_at: string;
}

export interface SessionTable {
  id: string;
  user_id: string;
  tenant_id: string;
  token_hash: string;
  kind: 'session' | 'api';
  created_at: string;
  expires_at: string;
}

export interface EnrollmentTokenTable {
  id: string;
  tenant_id: string;
  project_id: string;
  token_hash: string;
  uses: number;
  uses_left: number;
  expires_at: string;
  labels: string;
  policy: 'auto-approve' | 'require-approval';
  revoked: number;
  created_by: string | null;
  created_at: string;
}

/** Trust state of an agent record; connectivity is kept apart in `connection`. */
export type AgentApproval = 'pending' | 'approved' | 'revoked' | 'disabled';

export interface AgentTable {
  id: string;
  tenant_id: string;
  project_id: string;
  name: string;
  public_key: string;
  approval: AgentApproval;
  connection: 'online' | 'offline';
  /** On a pending key-change record: the trusted agent whose key this one would replace. */
  replaces_agent_id: string | null;
  labels: string;
  facts: string;
  hostname: string | null;
  os: string | null;
  arch: string | null;
  version: string | null;
  last_seen_at: string | null;
  /** Highest contiguous agent event sequence number stored (the cumulative ack). */
  acked_event_seq: Generated<number>;
  created_at: string;
  updated_at: string;
}

export interface JobTable {
  id: string;
  tenant_id: string;
  project_id: string;
  workflow_name: string;
  workflow_text: string;
  inputs: string;
  target: string;
  state: string;
  created_by: string | null;
  created_at: string;
  updated_at: string;
}

export interface RunTable {
  id: string;
  job_id: string;
  tenant_id: string;
  project_id: string;
  agent_id: string;
  state: string;
  exit_code: number | null;
  error: string | null;
  error_code: string | null;
  log_seq: Generated<number>;
  created_at: string;
  dispatched_at: string | null;
  started_at: string | null;
  finished_at: string | null;
}

export interface RunStepTable {
  run_id: string;
  step: string;
  attempt: number;
  status: string;
  exit_code: number | null;
  error: string | null;
  started_at: string | null;
  finished_at: string | null;
}

export interface RunLogTable {
  run_id: string;
  seq: number;
  step: string;
  stream: 'stdout' | 'stderr' | 'system';
  line: string;
  ts: string;
}

export interface AgentEventTable {
  agent_id: string;
  seq: number;
  run_id: string;
  kind: string;
  payload: string;
  received_at: string;
}

/** The whole database as Kysely sees it. */
export interface Database {
  tenants: TenantTable;
  projects: ProjectTable;
  users: UserTable;
  sessions: SessionTable;
  enrollment_tokens: EnrollmentTokenTable;
  agents: AgentTable;
  jobs: JobTable;
  runs: RunTable;
  run_steps: RunStepTable;
  run_logs: RunLogTable;
  agent_events: AgentEventTable;
}
