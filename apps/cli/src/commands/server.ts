import type { ServerOptions } from '@flotilla/server';
import type { CliCommand } from '../command-registry.js';
import { waitForShutdownSignal } from '../shutdown.js';
import { startControlPlane } from '../start-control-plane.js';

interface ServerFlags {
  data?: string;
  port?: string;
  host?: string;
  databaseUrl?: string;
  config?: string;
  logLevel?: string;
  trustedProxy?: string[];
}

export const serverCommand: CliCommand = {
  register(program) {
    program
      .command('server')
      .description('run the control plane (REST API, agent hub)')
      .option('--data <dir>', 'data directory (env FLOTILLA_DATA)', undefined)
      .option('--port <n>', 'HTTP port (env FLOTILLA_PORT; default 7700)')
      .option('--host <h>', 'listen address (env FLOTILLA_HOST; default 127.0.0.1)')
      .option('--database-url <url>', 'sqlite:PATH or postgres://… (env FLOTILLA_DATABASE_URL)')
      .option('--config <file>', 'YAML config file (env FLOTILLA_CONFIG)')
      .option('--log-level <level>', 'fatal|error|warn|info|debug|trace|silent (env FLOTILLA_LOG_LEVEL)')
      .option(
        '--trusted-proxy <address...>',
        'reverse proxy (IP, CIDR, loopback) whose X-Forwarded-For/-Proto are believed; repeatable or comma-separated (env FLOTILLA_TRUSTED_PROXIES)',
      )
      .action(async (opts: ServerFlags) => {
        // Loaded lazily: client commands should not pay for Fastify and SQLite.
        const { compileServerOptions } = await import('@flotilla/server');
        const flags: ServerOptions = {
          ...(opts.data === undefined ? {} : { dataDir: opts.data }),
          ...(opts.port === undefined ? {} : { port: opts.port }),
          ...(opts.host === undefined ? {} : { host: opts.host }),
          ...(opts.databaseUrl === undefined ? {} : { databaseUrl: opts.databaseUrl }),
          ...(opts.logLevel === undefined ? {} : { logLevel: opts.logLevel as ServerOptions['logLevel'] }),
          ...(opts.trustedProxy === undefined ? {} : { trustedProxies: opts.trustedProxy }),
        };
        const options = compileServerOptions({
          flags,
          env: process.env,
          ...(opts.config === undefined ? {} : { configFile: opts.config }),
        });
        const { server } = await startControlPlane(options);
        if (server.bootstrap.adminPasswordGenerated !== null) {
          console.error(`first start: user "admin" created with password ${server.bootstrap.adminPasswordGenerated}`);
          console.error('this password is shown once; store it now (or set FLOTILLA_ADMIN_PASSWORD on first start)');
        }
        const signal = await waitForShutdownSignal();
        console.error(`${signal}: stopping the control plane`);
        await server.close();
      });
  },
};
