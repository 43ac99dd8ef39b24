import type { CliCommand } from '../command-registry.js';
import { versionCommand } from './version.js';

/** Every CLI command, in `--help` order. Adding a command is one file plus one line here. */
export const commands: readonly CliCommand[] = [versionCommand];
