import type { CliCommand } from '../command-registry.js';
import { agentCommand } from './agent.js';
import { agentsCommand } from './agents.js';
import { execCommand } from './exec.js';
import { loginCommand } from './login.js';
import { serverCommand } from './server.js';
import { tokensCommand } from './tokens.js';
import { upCommand } from './up.js';
import { versionCommand } from './version.js';
import { validateCommand } from './validate.js';

/** Every CLI command, in `--help` order. Adding a command is one file plus one line here. */
export const commands: readonly CliCommand[] = [
  upCommand,
  serverCommand,
  agentCommand,
  loginCommand,
  agentsCommand,
  tokensCommand,
  execCommand,
  validateCommand,
  versionCommand,
];
