import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { bootstrapFirstStart } from './bootstrap/first-start.js';
import type { BootstrapResult } from './bootstrap/first-start.js';
import { loadOrCreateServerKey } from './bootstrap/server-key.js';
import { bodyParsersPlugin } from './http/body-parsers-plugin.js';
import { errorHandlerPlugin } from './http/error-handler-plugin.js';
import { clientErrorHandler, frameworkErrorHandler } from './http/framework-errors.js';
import { nulInputPlugin } from './http/nul-input-plugin.js';
import { responseContractPlugin } from './http/response-contract-plugin.js';
import { healthRoutes } from './http/health-routes.js';
import { apiV1Plugin } from './http/api-v1-plugin.js';
import { AgentHub } from './hub/agent-hub.js';
import type { HubStats } from './hub/agent-hub.js';
import { hubPlugin } from './hub/hub-plugin.js';
import type { ClusterBus, ClusterEvents } from './cluster/cluster-bus.js';
import { MemoryCluster } from './cluster/memory-cluster.js';
import { AgentSessions } from './jobs/agent-sessions.js';
import { RunDispatcher } from './jobs/run-dispatcher.js';
import { AuditLog } from './audit/audit-log.js';
import { CredentialRevocations } from './auth/credential-revocations.js';
import { loadOrCreateMasterKey } from './secrets/master-key.js';
import { checkMasterKey } from './secrets/check-master-key.js';
import { createLogger } from './logger.js';
import type { CompiledServerOptions } from './options/server-options.js';
import type { ServerContext } from './server-context.js';
import type { DialectName } from './store/dialect.js';
import { openStore } from './store/store.js';
import { GitMirror } from './git/git-mirror.js';
import { gitHttpRoutes } from './git/git-http-routes.js';
import { collectRoutes } from './openapi/route-collector.js';
import type { RegisteredRoute } from './openapi/route-collector.js';
import { DocumentChecker } from './workflows/document-checker.js';
import { webUiPlugin } from './web/web-ui-plugin.js';

/** A built, ready (not listening) control plane. */
export interface FlotillaServer {
  /** The Fastify app: `inject()` in tests, `listen()` in the CLI. */
  readonly app: FastifyInstance;
  /** What the first start created (the generated admin password, shown once). */
  readonly bootstrap: BootstrapResult;
  /** The control-plane public identity agents pin: base64 raw Ed25519 key and its id. */
  readonly serverKey: { readonly keyId: string; readonly publicKey: string };
  /** Live agent connections: counters and presence. */
  readonly hub: { readonly stats: Readonly<HubStats>; isConnected(agentId: string): boolean; connectedCount(): number };
  /** Committed job, run and agent changes as the cluster bus carries them (live views, benchmarks). */
  readonly events: Pick<ClusterEvents, 'subscribe'>;
  /** The store dialect in use. */
  readonly database: DialectName;
  /** Every route the app registered (method + URL pattern): what the OpenAPI document must cover. */
  readonly routes: readonly RegisteredRoute[];
  /** Closes agent connections, the HTTP server (if listening) and the database. Same as `app.close()`. */
  close(): Promise<void>;
}

/** Parts a caller may bring instead of the defaults. */
export interface ServerParts {
  /**
   * The cluster bus this replica joins. Default: a bus of its own (one process, in memory); tests
   * pass replicas of one `MemoryCluster` to run several control planes on one database.
   */
  bus?: ClusterBus;
}

/**
 * Builds the control plane: opens and migrates the store, runs the first-start bootstrap, loads
 * (or creates) the control-plane key, and registers every plugin. It never listens: the caller
 * (the CLI, or a test) decides with `server.app.listen()` or uses `server.app.inject()`.
 */
export async function buildServer(options: CompiledServerOptions, parts: ServerParts = {}): Promise<FlotillaServer> {
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const logger = createLogger(options);
  const serverKey = await loadOrCreateServerKey(options.serverKeyFile);
  const masterKey = await loadOrCreateMasterKey(options, logger);
  const store = await openStore(options.database);
  let bus: ClusterBus | undefined;
  try {
    const bootstrap = await bootstrapFirstStart(store.db, store.dialect, options.adminPassword);
    await checkMasterKey(store.db, masterKey, logger);
    const cluster =
      parts.bus ??
      new MemoryCluster({
        onError: (err, context) => logger.error({ err, context }, 'cluster bus handler failed'),
      }).join();
    bus = cluster;
    const dispatcher = new RunDispatcher({ store, serverKey, masterKey, bus: cluster, logger });
    const sessions = new AgentSessions({ store, bus: cluster, dispatcher });
    const hub = new AgentHub({
      store,
      serverKey,
      dispatcher,
      sessions,
      bus: cluster,
      logger,
      pingIntervalMs: options.pingIntervalMs,
      missedBeatsBeforeOffline: options.missedBeatsBeforeOffline,
      helloTimeoutMs: options.helloTimeoutMs,
    });
    await hub.start();
    const gitMirror = await GitMirror.open({ root: path.join(options.dataDir, 'git'), logger });
    const documents = new DocumentChecker({ logger });
    const ctx: ServerContext = {
      options,
      store,
      serverKey,
      bus: cluster,
      dispatcher,
      hub,
      masterKey,
      audit: new AuditLog(store),
      gitMirror,
      credentials: new CredentialRevocations(),
      documents,
    };

    const app = Fastify({
      loggerInstance: logger,
      bodyLimit: 4 * 1024 * 1024,
      return503OnClosing: true,
      // X-Forwarded-* only from the configured proxies (request.ip, request.protocol); never from anyone.
      trustProxy: options.trustedProxies.length > 0 ? [...options.trustedProxies] : false,
      // Errors Fastify and Node answer before any route: problem documents like every other error.
      frameworkErrors: frameworkErrorHandler,
      clientErrorHandler,
    }) as unknown as FastifyInstance;
    const routes = collectRoutes(app);
    app.addHook('preClose', () => {
      hub.beginShutdown();
      return Promise.resolve();
    });
    app.addHook('onClose', async () => {
      documents.close();
      await hub.finishShutdown();
      await cluster.close();
      await store.close();
    });
    await app.register(errorHandlerPlugin);
    await app.register(bodyParsersPlugin);
    await app.register(nulInputPlugin);
    // Before any route: its hook must cover them all.
    if (options.checkResponses) await app.register(responseContractPlugin);
    await app.register(healthRoutes, ctx);
    await app.register(hubPlugin, ctx);
    await app.register(gitHttpRoutes, ctx);
    // Wrapped so the `prefix` option stays out of the context handed to the routes.
    await app.register((api) => apiV1Plugin(api, ctx), { prefix: '/api/v1' });
    await app.register(webUiPlugin, ctx);
    await app.ready();
    logger.info({ database: store.dialect.name, serverKeyId: serverKey.keyId }, 'control plane ready');

    return {
      app,
      bootstrap,
      serverKey: { keyId: serverKey.keyId, publicKey: serverKey.publicKey },
      hub,
      events: cluster.events,
      database: store.dialect.name,
      routes,
      close: () => app.close(),
    };
  } catch (err) {
    await bus?.close();
    await store.close();
    throw err;
  }
}
