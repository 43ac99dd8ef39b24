export { buildServer } from './server.js';
export type { FlotillaServer, ServerParts } from './server.js';
export { compileServerOptions } from './options/compile-server-options.js';
export type { ServerOptionsInput } from './options/compile-server-options.js';
export { LOG_LEVELS } from './options/server-options.js';
export type {
  ServerOptions,
  CompiledServerOptions,
  DatabaseConfig,
  LogDestination,
  LogLevel,
} from './options/server-options.js';
export type { BootstrapResult } from './bootstrap/first-start.js';
export type { HubStats } from './hub/agent-hub.js';
export { MemoryCluster } from './cluster/memory-cluster.js';
export type { MemoryClusterOptions } from './cluster/memory-cluster.js';
export type { ClusterBus, ClusterEvents } from './cluster/cluster-bus.js';
export type { ClusterEvent, RunChangedEvent } from './cluster/cluster-messages.js';
export { rotateMasterKey } from './secrets/rotate-master-key.js';
export type { RotateMasterKeyResult } from './secrets/rotate-master-key.js';
