import type { StepRegistry, StepType } from '@flotilla/workflow';
import type { BuiltinStepTypeName } from './catalogue/catalogue.js';
import { alertStep } from './steps/alert.js';
import { commandStep } from './steps/command.js';
import { dbStep } from './steps/db/db-step.js';
import { downloadExecStep } from './steps/downloadexec/downloadexec-step.js';
import { fileCopyStep } from './steps/file/copy.js';
import { fileDeleteStep } from './steps/file/delete.js';
import { fileMoveStep } from './steps/file/move.js';
import { fileReadStep } from './steps/file/read.js';
import { fileRenameStep } from './steps/file/rename.js';
import { fileWriteStep } from './steps/file/write.js';
import { httpStep } from './steps/http.js';
import { jsStep } from './steps/js.js';
import { patchStep } from './steps/patch.js';
import { powershellStep } from './steps/powershell.js';
import { scriptStep } from './steps/script.js';
import { serviceStep } from './steps/service.js';
import { sftpStep } from './steps/ssh/sftp-step.js';
import { sshStep } from './steps/ssh/ssh-step.js';
import { sleepStep } from './steps/sleep.js';
import { smtpStep } from './steps/smtp/smtp-step.js';

/**
 * Each catalogue entry paired with its runner: one line per type. The type of this table makes
 * the compiler refuse a catalogue entry without a runner, a runner without an entry, and a
 * runner filed under another type's name.
 */
const runners: { readonly [Name in BuiltinStepTypeName]: StepType & { readonly type: Name } } = {
  command: commandStep,
  script: scriptStep,
  powershell: powershellStep,
  sleep: sleepStep,
  alert: alertStep,
  service: serviceStep,
  patch: patchStep,
  http: httpStep,
  js: jsStep,
  db: dbStep,
  ssh: sshStep,
  sftp: sftpStep,
  downloadexec: downloadExecStep,
  smtp: smtpStep,
  'file.copy': fileCopyStep,
  'file.move': fileMoveStep,
  'file.rename': fileRenameStep,
  'file.delete': fileDeleteStep,
  'file.write': fileWriteStep,
  'file.read': fileReadStep,
};

/** The built-in step types with their runners, in the catalogue's order. */
export const builtinSteps: readonly StepType[] = Object.values(runners);

/** A registry of the built-in steps, optionally with extra types (tests, plugins). */
export function createStepRegistry(extra: readonly StepType[] = []): StepRegistry {
  const registry = new Map<string, StepType>();
  for (const step of [...builtinSteps, ...extra]) {
    if (registry.has(step.type)) throw new Error(`step type "${step.type}" registered twice`);
    registry.set(step.type, step);
  }
  return registry;
}
