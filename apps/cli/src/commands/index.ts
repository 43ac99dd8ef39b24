import type { CliCommand } from '../command-registry.js';
import { agentCommand } from './agent.js';
import { agentsCommand } from './agents.js';
import { execCommand } from './exec.js';
import { jobsCommand } from './jobs.js';
import { logsCommand } from './jobs/logs-search.js';
import { loginCommand } from './login.js';
import { serverCommand } from './server.js';
import { tokensCommand } from './tokens.js';
import { upCommand } from './up.js';
import { versionCommand } from './version.js';
import { validateCommand } from './validate.js';
import { convertCommand } from './convert.js';
import { runCommand } from './run.js';
import { secretsCommand } from './secrets.js';
import { auditCommand } from './audit.js';
import { tenantsCommand } from './tenants.js';
import { projectsCommand } from './projects.js';
import { usersCommand } from './users.js';
import { teamsCommand } from './teams.js';
import { workflowsCommand } from './workflows.js';

/** Every CLI command, in `--help` order. Adding a command is one file plus one line here. */
export const commands: readonly CliCommand[] = [
  upCommand,
  serverCommand,
  agentCommand,
  loginCommand,
  agentsCommand,
  tokensCommand,
  execCommand,
  jobsCommand,
  logsCommand,
  workflowsCommand,
  runCommand,
  secretsCommand,
  auditCommand,
  tenantsCommand,
  projectsCommand,
  usersCommand,
  teamsCommand,
  validateCommand,
  convertCommand,
  versionCommand,
];
