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
  /** Consecutive failed logins; reset by a successful one. */
  failed_logins: Generated<number>;
  /** Logins are refused until then. */
  locked_until: Generated<string | null>;
}

/** Users grouped inside a tenant; rights come from the team's grants. */
export interface TeamTable {
  id: string;
  tenant_id: string;
  name: string;
  created_at: string;
}

export interface TeamMemberTable {
  team_id: string;
  user_id: string;
}

/** `project_id` is a project id or `*` (every project of the tenant). */
export interface TeamGrantTable {
  team_id: string;
  project_id: string;
  access: 'full' | 'read-only';
}

/** A personal or service API token; only its SHA-256 is stored. */
export interface ApiTokenTable {
  id: string;
  tenant_id: string;
  /** The owner of a personal token; the creator of a service token. */
  user_id: string;
  name: string;
  kind: 'personal' | 'service';
  token_hash: string;
  /** `null`: every project of the tenant. */
  project_id: string | null;
  access: 'full' | 'read-only';
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
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
  /** From the agent's `hello`; never more runs dispatched or running on it. */
  max_concurrent_runs: Generated<number>;
  /** When its current (or last) connection was authenticated, and from which address. */
  connected_at: Generated<string | null>;
  remote_address: Generated<string | null>;
  created_at: string;
  updated_at: string;
}

/** One connect or disconnect of an agent (the last 100 per agent are kept). */
export interface AgentConnectionTable {
  id: string;
  agent_id: string;
  event: 'connected' | 'disconnected';
  created_at: string;
  remote_address: string | null;
  agent_version: string | null;
  /** Why a connection ended; `null` on a connect. */
  reason: string | null;
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
  /** Runs not delivered by then end `expired`. */
  expires_at: Generated<string | null>;
  /** Compiled rollout (`{batchSize, maxFailures}`) as JSON, for fan-out jobs. */
  rollout: Generated<string | null>;
  /** Runs with `batch` ≤ this may be dispatched. */
  active_batch: Generated<number>;
  /** Last log sequence number given out: log `seq` is unique per job. */
  log_seq: Generated<number>;
  rerun_of: Generated<string | null>;
  /** Secret names the workflow and the workflows it calls declare (JSON array), resolved into each run's envelope. */
  secret_names: Generated<string>;
  /** The workflow versions it calls (JSON `CalledWorkflow[]`, resolved at submit), null when none. */
  called_workflows: Generated<string | null>;
  /** The stored workflow version the job's document is (same text), null for an ad-hoc document. */
  workflow_id: Generated<string | null>;
  workflow_version: Generated<number | null>;
}

export interface RunTable {
  id: string;
  job_id: string;
  tenant_id: string;
  project_id: string;
  agent_id: string;
  state: string;
  exit_code: number | null;
  /** JSON `Failure` (`{code, message, retryable, step?}`), see `jobs/run-failure.ts`. */
  error: string | null;
  created_at: string;
  dispatched_at: string | null;
  started_at: string | null;
  finished_at: string | null;
  /** Rollout batch (0 = the first). */
  batch: Generated<number>;
  /** 1 once the job was cancelled while the run was on its agent: `job.cancel` is (re)sent on connect. */
  cancel_requested: Generated<number>;
  /** JSON `JobPayload.completedSteps` for a resumed re-run. */
  completed_steps: Generated<string | null>;
}

export interface RunStepTable {
  run_id: string;
  step: string;
  attempt: number;
  status: string;
  exit_code: number | null;
  /** JSON `StepFailure` (`{code, message, retryable}`), see `jobs/run-failure.ts`. */
  error: string | null;
  started_at: string | null;
  finished_at: string | null;
  /** JSON outputs reported with `step.finished`. */
  outputs: Generated<string | null>;
}

/** Log lines of one run, `first_seq..last_seq` (per-job sequence), `entries` a JSON `LogEntry[]`. */
export interface LogChunkTable {
  id: string;
  tenant_id: string;
  project_id: string;
  job_id: string;
  run_id: string;
  first_seq: number;
  last_seq: number;
  line_count: number;
  entries: string;
  created_at: string;
}

export interface AgentEventTable {
  agent_id: string;
  seq: number;
  run_id: string;
  kind: string;
  payload: string;
  received_at: string;
}

/** The mutable head of a versioned workflow; `deleted_at` marks a soft delete. */
export interface WorkflowTable {
  id: string;
  tenant_id: string;
  project_id: string;
  name: string;
  description: string | null;
  latest_version: number;
  deleted_at: string | null;
  created_at: string;
  updated_at: string;
  updated_by: string | null;
}

/** One immutable version of a workflow document. */
export interface WorkflowVersionTable {
  workflow_id: string;
  version: number;
  name: string;
  document: string;
  change: 'create' | 'update' | 'restore';
  restored_from: number | null;
  created_by: string | null;
  created_at: string;
}

/** A project secret: AES-256-GCM ciphertext plus its data key wrapped by the master key (all base64). */
export interface SecretTable {
  id: string;
  tenant_id: string;
  project_id: string;
  name: string;
  ciphertext: string;
  iv: string;
  tag: string;
  wrapped_key: string;
  /** Id of the master key that wrapped `wrapped_key`. */
  key_id: string;
  created_at: string;
  updated_at: string;
  /** Username of who last set the value; null for secrets older than the column. */
  updated_by: string | null;
}

/** One append-only audit record; `hash` covers the record and `prev_hash`. */
export interface AuditEventTable {
  id: string;
  tenant_id: string;
  seq: number;
  ts: string;
  actor: string;
  actor_name: string | null;
  action: string;
  object_type: string;
  object_id: string | null;
  /** Canonical JSON (sorted keys): the exact text that was hashed. */
  change: string;
  source: string | null;
  prev_hash: string;
  hash: string;
}

/** Last seq and hash of a tenant's audit chain. */
export interface AuditChainHeadTable {
  tenant_id: string;
  seq: number;
  hash: string;
}

/** An enrolment proof accepted within its window (replay protection). */
export interface EnrollmentProofTable {
  /** SHA-256 (hex) of the signed proof message. */
  digest: string;
  /** When the proof's timestamp leaves the accepted window; the row may go then. */
  expires_at: string;
}

/** The whole database as Kysely sees it. */
export interface Database {
  tenants: TenantTable;
  projects: ProjectTable;
  users: UserTable;
  sessions: SessionTable;
  enrollment_tokens: EnrollmentTokenTable;
  enrollment_proofs: EnrollmentProofTable;
  agents: AgentTable;
  agent_connections: AgentConnectionTable;
  jobs: JobTable;
  runs: RunTable;
  run_steps: RunStepTable;
  agent_events: AgentEventTable;
  secrets: SecretTable;
  audit_events: AuditEventTable;
  audit_chain_heads: AuditChainHeadTable;
  workflows: WorkflowTable;
  workflow_versions: WorkflowVersionTable;
  log_chunks: LogChunkTable;
  teams: TeamTable;
  team_members: TeamMemberTable;
  team_grants: TeamGrantTable;
  api_tokens: ApiTokenTable;
}
