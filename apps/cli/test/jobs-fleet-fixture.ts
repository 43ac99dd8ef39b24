import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { vi } from 'vitest';
import { FlotillaClient } from '@flotilla/client';
import { main } from '@flotilla/cli';
import { testAgents } from '../../../test/e2e/helpers/agents.js';
import { ADMIN_PASSWORD, controlPlanes, type ControlPlane } from '../../../test/e2e/helpers/control-plane.js';
import { agentStatus } from '../../../test/e2e/helpers/jobs.js';

/** A real control plane with real agents labelled `role=web`, and `flotilla` run in-process against it. */
export interface CliFleet {
  cp: ControlPlane;
  client: FlotillaClient;
  /** Runs `flotilla ARGS --server URL --token T`; captures console output. */
  cli(...argv: string[]): Promise<{ code: number; out: string; err: string }>;
  /** Writes a workflow file into the fixture's temp dir. */
  file(name: string, text: string): string;
  stop(): Promise<void>;
}

export async function startCliFleet(
  names: readonly string[],
  labels: Record<string, string> = { role: 'web' },
): Promise<CliFleet> {
  const planes = controlPlanes();
  const agents = testAgents();
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-cli-jobs-'));
  const cp = await planes.start();
  const token = await cp.enrollmentToken({ uses: names.length, labels });
  for (const name of names) {
    const agent = await agents.start({ serverUrl: cp.url, token, dataDir: await agents.dataDir(), name });
    await agentStatus(cp.api, agent.agentId, 'online');
  }
  const client = new FlotillaClient({ baseUrl: cp.url });
  await client.login('admin', ADMIN_PASSWORD);
  const auth = ['--server', cp.url, '--token', client.token ?? ''];
  return {
    cp,
    client,
    async cli(...argv) {
      const out: string[] = [];
      const err: string[] = [];
      const log = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void out.push(args.join(' ')));
      const error = vi
        .spyOn(console, 'error')
        .mockImplementation((...args: unknown[]) => void err.push(args.join(' ')));
      // Options go before a `--` separator (exec), so insert the client flags after the subcommand words.
      const dash = argv.indexOf('--');
      const args = dash === -1 ? [...argv, ...auth] : [...argv.slice(0, dash), ...auth, ...argv.slice(dash)];
      try {
        const code = await main(args);
        return { code, out: out.join('\n'), err: err.join('\n') };
      } finally {
        log.mockRestore();
        error.mockRestore();
        process.exitCode = undefined;
      }
    },
    file(name, text) {
      const path = join(dir, name);
      writeFileSync(path, text);
      return path;
    },
    async stop() {
      await agents.cleanup();
      await planes.cleanup();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
