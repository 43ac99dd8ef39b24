import { compileAgentOptions, startAgent, type AgentHandle, type AgentOptions } from '@flotilla/agent';
import { startFakeControlPlane, type FakeControlPlane } from './fake-control-plane.js';
import { tempDirs } from './temp-dir.js';

/** Starts agents against fake control planes and tears everything down after each test. */
export function agentHarness() {
  const dirs = tempDirs();
  const agents: AgentHandle[] = [];
  const planes: FakeControlPlane[] = [];
  return {
    dirs,
    async controlPlane(): Promise<FakeControlPlane> {
      const cp = await startFakeControlPlane();
      planes.push(cp);
      return cp;
    },
    async agent(cp: FakeControlPlane, dataDir: string, extra: AgentOptions = {}): Promise<AgentHandle> {
      const options = compileAgentOptions(
        {
          serverUrl: cp.url,
          token: 'enrol-token',
          dataDir,
          name: 'a1',
          logLevel: 'silent',
          reconnectBase: '20ms',
          reconnectCap: '200ms',
          shutdownGrace: '300ms',
          killGrace: '100ms',
          handshakeTimeout: '2s',
          ...extra,
        },
        {},
      );
      const agent = await startAgent(options);
      agents.push(agent);
      return agent;
    },
    async cleanup(): Promise<void> {
      await Promise.all(agents.splice(0).map((a) => a.stop()));
      await Promise.all(planes.splice(0).map((p) => p.close()));
      await dirs.cleanup();
    },
  };
}
