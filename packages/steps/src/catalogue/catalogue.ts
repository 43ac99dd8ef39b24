import { alertSpec } from './alert.js';
import { commandSpec } from './command.js';
import { dbSpec } from './db.js';
import { downloadExecSpec } from './downloadexec.js';
import { fileCopySpec } from './file-copy.js';
import { fileDeleteSpec } from './file-delete.js';
import { fileMoveSpec } from './file-move.js';
import { fileReadSpec } from './file-read.js';
import { fileRenameSpec } from './file-rename.js';
import { fileWriteSpec } from './file-write.js';
import { httpSpec } from './http.js';
import { jsSpec } from './js.js';
import { patchSpec } from './patch.js';
import { powershellSpec } from './powershell.js';
import { scriptSpec } from './script.js';
import { serviceSpec } from './service.js';
import { sftpSpec } from './sftp.js';
import { sleepSpec } from './sleep.js';
import { smtpSpec } from './smtp.js';
import { sshSpec } from './ssh.js';
import type { StepSpec } from './step-spec.js';

/**
 * The built-in step types as the catalogue describes them. Adding a type is one file here (its
 * spec), one line in this list, a runner under `../steps/` and one line in `../registry.ts`
 * (the compiler insists on a runner for every entry of this list).
 */
export const builtinStepSpecs = [
  commandSpec,
  scriptSpec,
  powershellSpec,
  sleepSpec,
  alertSpec,
  serviceSpec,
  patchSpec,
  httpSpec,
  jsSpec,
  dbSpec,
  sshSpec,
  sftpSpec,
  downloadExecSpec,
  smtpSpec,
  fileCopySpec,
  fileMoveSpec,
  fileRenameSpec,
  fileDeleteSpec,
  fileWriteSpec,
  fileReadSpec,
] as const;

/** The name of a built-in step type (`command`, `http`, `file.copy`, …). */
export type BuiltinStepTypeName = (typeof builtinStepSpecs)[number]['type'];

/**
 * The built-in step types by name: what `validateWorkflow(text, { steps })` needs to check
 * every step's type and config, in the browser as on the server, the CLI and the agent.
 */
export const stepCatalogue: ReadonlyMap<string, StepSpec> = new Map(
  builtinStepSpecs.map((spec): [string, StepSpec] => [spec.type, spec]),
);
