export { startAgent } from './agent.js';
export type { AgentHandle, AgentStats, StartAgentContext } from './agent.js';
export { compileAgentOptions, defaultAgentName, deriveWsUrl } from './options.js';
export type { AgentOptions, CompiledAgentOptions } from './options.js';
export type { AgentLogger } from './logger.js';
export type { RunExecutor, RunEventSink, RunResult } from './jobs/run-executor.js';
export { loadPolicyFile, parsePolicy } from './policy/policy-file.js';
export type { PolicyProblem } from './policy/policy-file.js';
export type { CompiledPolicy } from './policy/policy-schema.js';
