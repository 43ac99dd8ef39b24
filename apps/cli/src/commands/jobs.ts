import type { CliCommand } from '../command-registry.js';
import { registerControl } from './jobs/control.js';
import { registerInspect } from './jobs/inspect.js';
import { registerSubmit } from './jobs/submit.js';

/** `flotilla jobs submit|list|get|logs|cancel|rerun` (SPEC §9). */
export const jobsCommand: CliCommand = {
  register(program) {
    const jobs = program.command('jobs').description('submit, inspect, follow, cancel and re-run jobs');
    registerSubmit(jobs);
    registerInspect(jobs);
    registerControl(jobs);
  },
};
