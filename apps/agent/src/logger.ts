import { pino } from 'pino';
import type { CompiledAgentOptions } from './options.js';

/** The slice of a structured logger the agent uses; pino satisfies it. */
export interface AgentLogger {
  debug(fields: object, message?: string): void;
  info(fields: object, message?: string): void;
  warn(fields: object, message?: string): void;
  error(fields: object, message?: string): void;
}

/** A pino JSON logger at the configured level. */
export function createAgentLogger(options: Pick<CompiledAgentOptions, 'logLevel' | 'name'>): AgentLogger {
  return pino({ level: options.logLevel, base: { component: 'agent', agent: options.name } });
}
