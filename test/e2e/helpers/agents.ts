import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileAgentOptions, startAgent, type AgentHandle, type AgentOptions } from '@flotilla/agent';

/** Starts real agents in temp data dirs with fast reconnects and silent logs; stops them after each test. */
export function testAgents() {
  const running: AgentHandle[] = [];
  const dirs: string[] = [];
  return {
    async dataDir(): Promise<string> {
      const dir = await mkdtemp(join(tmpdir(), 'flotilla-e2e-agent-'));
      dirs.push(dir);
      return dir;
    },
    async start(options: AgentOptions & { serverUrl: string; dataDir: string }): Promise<AgentHandle> {
      const compiled = compileAgentOptions(
        {
          logLevel: 'silent',
          reconnectBase: '25ms',
          reconnectCap: '250ms',
          shutdownGrace: '500ms',
          killGrace: '200ms',
          handshakeTimeout: '3s',
          ...options,
        },
        {},
      );
      const agent = await startAgent(compiled);
      running.push(agent);
      return agent;
    },
    async cleanup(): Promise<void> {
      await Promise.all(running.splice(0).map((a) => a.stop()));
      await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
    },
  };
}
