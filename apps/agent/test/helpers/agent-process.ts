/**
 * Entry point of a REAL agent process for crash tests: `node --conditions=@flotilla/source
 * --import tsx agent-process.ts '<AgentOptions JSON>'`. It runs until killed; tests SIGKILL it.
 */
import { compileAgentOptions, startAgent } from '@flotilla/agent';

const options = compileAgentOptions(JSON.parse(process.argv[2] ?? '{}') as Record<string, unknown>, {});
const agent = await startAgent(options);
process.stdout.write(`started ${agent.agentId}\n`);
await agent.done;
