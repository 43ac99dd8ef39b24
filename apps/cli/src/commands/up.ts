import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { FlotillaClient } from '@flotilla/client';
import { isFlotillaError, type AgentStatus } from '@flotilla/protocol';
import type { ServerOptions } from '@flotilla/server';
import type { CliCommand } from '../command-registry.js';
import { localConfigPath, saveClientConfig } from '../config/client-config.js';
import { waitForShutdownSignal } from '../shutdown.js';
import { startControlPlane } from '../start-control-plane.js';
import { superviseLocalAgent } from './up-local-agent.js';

interface UpFlags {
  data: string;
  port: string;
  host: string;
  logLevel: string;
}

/**
 * The admin password for the embedded setup: FLOTILLA_ADMIN_PASSWORD, else the one saved by an
 * earlier `up`, else a new random one saved (mode 0600) so that later `up`s can print it again.
 */
async function adminPassword(dataDir: string): Promise<string> {
  const fromEnv = process.env.FLOTILLA_ADMIN_PASSWORD;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  const file = join(dataDir, 'admin-password');
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    const generated = randomBytes(18).toString('base64url');
    await writeFile(file, generated + '\n', { mode: 0o600 });
    return generated;
  }
}

export const upCommand: CliCommand = {
  register(program) {
    program
      .command('up')
      .description('start the control plane and one local agent on SQLite (the quick start)')
      .option('--data <dir>', 'data directory', '.flotilla')
      .option('--port <n>', 'HTTP port', '7700')
      .option('--host <h>', 'listen address', '127.0.0.1')
      .option('--log-level <level>', 'log level of server and agent', 'warn')
      .action(async (opts: UpFlags) => {
        // Loaded lazily: client commands should not pay for Fastify and SQLite.
        const [{ compileServerOptions }, { compileAgentOptions, startAgent }] = await Promise.all([
          import('@flotilla/server'),
          import('@flotilla/agent'),
        ]);
        const dataDir = resolve(opts.data);
        await mkdir(dataDir, { recursive: true, mode: 0o700 });
        const password = await adminPassword(dataDir);
        const options = compileServerOptions({
          flags: {
            dataDir: join(dataDir, 'server'),
            port: opts.port,
            host: opts.host,
            adminPassword: password,
            logLevel: opts.logLevel as ServerOptions['logLevel'],
          },
          env: process.env,
        });
        const { server, url } = await startControlPlane(options);
        const client = new FlotillaClient({ baseUrl: url });
        const { token } = await client.login('admin', password);
        await saveClientConfig(localConfigPath(dataDir), { server: url, token });

        const agentDir = join(dataDir, 'agent');
        const enrolled = existsSync(join(agentDir, 'agent.json'));
        const enrollToken = enrolled
          ? undefined
          : (
              await client.api.enrollmentTokens.create({
                body: { uses: 1, expiresIn: '10m', labels: { local: 'true' } },
              })
            ).token;
        const controller = new AbortController();
        const startLocalAgent = () =>
          startAgent(
            compileAgentOptions({
              serverUrl: url,
              token: enrollToken,
              dataDir: agentDir,
              name: 'local',
              logLevel: opts.logLevel as 'warn',
            }),
            { signal: controller.signal },
          );
        const agent = await startLocalAgent();

        console.log(`Flotilla is up.
  open           ${url}/   in your browser (sign in with the admin login below)
  control plane  ${url}   (SQLite: ${join(options.dataDir, 'flotilla.db')})
  local agent    ${agent.name} (${agent.agentId})
  admin login    admin / ${password}   (saved in ${join(dataDir, 'admin-password')}, mode 0600)

Try, in another terminal in this directory:
  npx flotilla agents list
  npx flotilla exec --agent local -- echo hi

Press Ctrl-C to stop.`);

        void waitForShutdownSignal().then((signal) => {
          console.error(`${signal}: stopping`);
          controller.abort();
        });
        try {
          // The control plane serves on whatever happens to the agent: disabled or revoked, it
          // is reported (and restarted once enabled again) until Ctrl-C.
          await superviseLocalAgent(agent, {
            restart: startLocalAgent,
            status: async (id) => agentStatus(client, id, password),
            report: (line) => console.error(line),
            agentDir,
            signal: controller.signal,
          });
        } finally {
          await server.close();
        }
      });
  },
};

/**
 * The agent's status through the API, logging in again if the session is gone (the status is
 * polled for as long as the agent stays disabled). `undefined` when the agent was deleted.
 */
async function agentStatus(client: FlotillaClient, id: string, password: string): Promise<AgentStatus | undefined> {
  const get = async (): Promise<AgentStatus | undefined> => {
    try {
      return (await client.api.agents.get({ params: { id } })).status;
    } catch (err) {
      if (isFlotillaError(err) && err.code === 'AGENT_NOT_FOUND') return undefined;
      throw err;
    }
  };
  try {
    return await get();
  } catch (err) {
    if (!isFlotillaError(err) || err.code !== 'UNAUTHENTICATED') throw err;
    await client.login('admin', password);
    return get();
  }
}
