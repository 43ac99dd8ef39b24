import type { CompiledServerOptions } from './options/server-options.js';
import type { Store } from './store/store.js';
import type { ServerKey } from './bootstrap/server-key.js';
import type { ClusterBus } from './cluster/cluster-bus.js';
import type { RunDispatcher } from './jobs/run-dispatcher.js';
import type { AgentHub } from './hub/agent-hub.js';
import type { AuditLog } from './audit/audit-log.js';
import type { MasterKey } from './secrets/master-key.js';
import type { GitMirror } from './git/git-mirror.js';
import type { CredentialRevocations } from './auth/credential-revocations.js';
import type { DocumentChecker } from './workflows/document-checker.js';

/**
 * The services every plugin works with, passed explicitly as plugin options (no service
 * locator, no global state): one per `buildServer()` call.
 */
export interface ServerContext {
  readonly options: CompiledServerOptions;
  readonly store: Store;
  readonly serverKey: ServerKey;
  /** Everything that crosses replicas: job, run and agent events, agent presence, commands, locks. */
  readonly bus: ClusterBus;
  /** Offers queued runs to agents (wherever they are connected), cancels, announces progress. */
  readonly dispatcher: RunDispatcher;
  /** This replica's agent connections. */
  readonly hub: AgentHub;
  /** Wraps the secrets' data keys; never logged. */
  readonly masterKey: MasterKey;
  /** The hash-chained audit trail: `await ctx.audit.record({...})` after every mutation. */
  readonly audit: AuditLog;
  /** Commits configuration changes to the per-project git repositories (disabled without `git`). */
  readonly gitMirror: GitMirror;
  /** Sessions ended and API tokens revoked, announced so the streams they opened end at once. */
  readonly credentials: CredentialRevocations;
  /** Validates workflow documents within `WORKFLOW_LIMITS`, large ones in a worker thread. */
  readonly documents: DocumentChecker;
}
