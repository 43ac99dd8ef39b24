import type { CompiledServerOptions } from './options/server-options.js';
import type { Store } from './store/store.js';
import type { ServerKey } from './bootstrap/server-key.js';
import type { JobEvents } from './jobs/job-events.js';
import type { AgentHub } from './hub/agent-hub.js';

/**
 * The services every plugin works with, passed explicitly as plugin options (no service
 * locator, no global state): one per `buildServer()` call.
 */
export interface ServerContext {
  readonly options: CompiledServerOptions;
  readonly store: Store;
  readonly serverKey: ServerKey;
  readonly jobEvents: JobEvents;
  readonly hub: AgentHub;
}
