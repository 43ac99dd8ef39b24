import type { StepRegistry, StepType } from '@flotilla/workflow';
import { dbStep } from './steps/db/db-step.js';
import { sshStep } from './steps/ssh/ssh-step.js';
import { sftpStep } from './steps/ssh/sftp-step.js';
import { downloadExecStep } from './steps/downloadexec/downloadexec-step.js';
import { commandStep } from './steps/command.js';
import { scriptStep } from './steps/script.js';
import { powershellStep } from './steps/powershell.js';
import { sleepStep } from './steps/sleep.js';
import { alertStep } from './steps/alert.js';
import { serviceStep } from './steps/service.js';
import { patchStep } from './steps/patch.js';
import { httpStep } from './steps/http.js';
import { jsStep } from './steps/js.js';
import { fileCopyStep } from './steps/file/copy.js';
import { fileMoveStep } from './steps/file/move.js';
import { fileRenameStep } from './steps/file/rename.js';
import { fileDeleteStep } from './steps/file/delete.js';
import { fileWriteStep } from './steps/file/write.js';
import { fileReadStep } from './steps/file/read.js';

/**
 * The built-in step types. Adding a type is one file under `steps/` plus one line here.
 */
export const builtinSteps: readonly StepType[] = [
  // (step modules are added here, one line each)
  dbStep,
  sshStep,
  sftpStep,
  downloadExecStep,
  commandStep,
  scriptStep,
  powershellStep,
  sleepStep,
  alertStep,
  serviceStep,
  patchStep,
  httpStep,
  jsStep,
  fileCopyStep,
  fileMoveStep,
  fileRenameStep,
  fileDeleteStep,
  fileWriteStep,
  fileReadStep,
];

/** A registry of the built-in steps, optionally with extra types (tests, plugins). */
export function createStepRegistry(extra: readonly StepType[] = []): StepRegistry {
  const registry = new Map<string, StepType>();
  for (const step of [...builtinSteps, ...extra]) {
    if (registry.has(step.type)) throw new Error(`step type "${step.type}" registered twice`);
    registry.set(step.type, step);
  }
  return registry;
}
