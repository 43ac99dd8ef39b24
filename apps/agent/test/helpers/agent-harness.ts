import { compileAgentOptions, startAgent, type AgentHandle, type AgentOptions } from '@flotilla/agent';
import { AGENT_NAME, ControlPlanePeer } from './control-plane-peer.js';
import { FakeControlPlane } from './fake-control-plane.js';
import { tempDirs } from './temp-dir.js';

/** The server URL of agents that reach their control plane in memory (never dialled). */
const IN_MEMORY_URL = 'http://control-plane.invalid';

/**
 * Starts agents against control planes in tests and tears everything down after each test.
 * `peer()` is an in-memory control plane: the agent is seeded as enrolled and its channel is a
 * linked in-memory transport. `controlPlane()` is the same peer over HTTP and a WebSocket on
 * port 0: the agent enrols for real and dials it.
 */
export function agentHarness() {
  const dirs = tempDirs();
  const agents: AgentHandle[] = [];
  const peers: ControlPlanePeer[] = [];
  const servers: FakeControlPlane[] = [];
  return {
    dirs,
    peer(): ControlPlanePeer {
      const peer = new ControlPlanePeer();
      peers.push(peer);
      return peer;
    },
    async controlPlane(): Promise<FakeControlPlane> {
      const cp = await FakeControlPlane.start();
      servers.push(cp);
      return cp;
    },
    async agent(cp: ControlPlanePeer, dataDir: string, extra: AgentOptions = {}): Promise<AgentHandle> {
      const network = cp instanceof FakeControlPlane;
      const serverUrl = network ? cp.url : IN_MEMORY_URL;
      if (!network) await cp.seedAgent(dataDir, serverUrl);
      const options = compileAgentOptions(
        {
          serverUrl,
          token: 'enrol-token',
          dataDir,
          name: AGENT_NAME,
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
      const agent = await startAgent(options, network ? {} : { connect: () => cp.dial() });
      agents.push(agent);
      return agent;
    },
    async cleanup(): Promise<void> {
      await Promise.all(agents.splice(0).map((a) => a.stop()));
      await Promise.all(servers.splice(0).map((cp) => cp.close()));
      await Promise.all(peers.splice(0).map((peer) => peer.closeAll()));
      await dirs.cleanup();
    },
  };
}
