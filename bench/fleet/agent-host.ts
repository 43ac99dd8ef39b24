// Child process hosting real agents (the `@flotilla/agent` daemon, in-process, one data dir each),
// so the agents do not share the event loop of the control plane under test.
// Config in env BENCH_AGENT_HOST (JSON); IPC: sends {ready: true}, exits on "stop" or when the parent goes.
import { compileAgentOptions, startAgent, type AgentHandle } from '@flotilla/agent';

interface HostConfig {
  serverUrl: string;
  token: string;
  names: string[];
  labels: Record<string, string>;
  dataDir: string;
}

const config = JSON.parse(process.env.BENCH_AGENT_HOST ?? '{}') as HostConfig;
const agents: AgentHandle[] = [];
let stopping = false;

async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await Promise.race([Promise.all(agents.map((a) => a.stop())), new Promise((r) => setTimeout(r, 5000))]);
  process.exit(0);
}

process.on('message', (message) => {
  if (message === 'stop') void stop();
});
process.on('disconnect', () => void stop());

for (const name of config.names) {
  const options = compileAgentOptions(
    {
      serverUrl: config.serverUrl,
      token: config.token,
      dataDir: `${config.dataDir}/${name}`,
      name,
      labels: config.labels,
      logLevel: 'silent',
      reconnectBase: '50ms',
      reconnectCap: '1s',
      shutdownGrace: '1s',
      killGrace: '500ms',
    },
    {},
  );
  agents.push(await startAgent(options));
}
process.send?.({ ready: true, pid: process.pid });
