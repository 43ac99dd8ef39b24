export { main, buildProgram } from './main.js';
export { CliError } from './cli-error.js';
export type { CliCommand } from './command-registry.js';
