// The catalogue (schemas, effect classes, docs) is also `@flotilla/steps/catalogue`, the
// browser-safe entry; this Node entry adds the runners and the runtime.
export {
  stepCatalogue,
  builtinStepSpecs,
  defineStepSpec,
  CommandConfigSchema,
  ScriptConfigSchema,
  PowershellConfigSchema,
  SleepConfigSchema,
  AlertConfigSchema,
  ServiceConfigSchema,
  PatchConfigSchema,
  DbConfigSchema,
  queryEffect,
  SshConfigSchema,
  SftpConfigSchema,
  SftpOperationSchema,
  SshConnectionSchema,
  parseHostKeyPin,
  HttpConfigSchema,
  JsConfigSchema,
  FileCopyConfigSchema,
  FileMoveConfigSchema,
  FileRenameConfigSchema,
  FileDeleteConfigSchema,
  FileWriteConfigSchema,
  FileReadConfigSchema,
  DownloadExecConfigSchema,
  SmtpConfigSchema,
} from './catalogue/index.js';
export type {
  StepSpec,
  BuiltinStepTypeName,
  CommandConfig,
  ScriptConfig,
  PowershellConfig,
  SleepConfig,
  AlertConfig,
  ServiceConfig,
  PatchConfig,
  DbConfig,
  SshConfig,
  SftpConfig,
  SftpOperation,
  SshConnectionConfig,
  HostKeyPin,
  HttpConfig,
  JsConfig,
  FileCopyConfig,
  FileMoveConfig,
  FileRenameConfig,
  FileDeleteConfig,
  FileWriteConfig,
  FileReadConfig,
  DownloadExecConfig,
  SmtpConfig,
} from './catalogue/index.js';
export { builtinSteps, createStepRegistry } from './registry.js';
export { withRunner } from './steps/step-runner.js';
export type { StepRunner } from './steps/step-runner.js';
export { runProcess } from './process/run-process.js';
export { useLauncherHelper, spawnDirectly } from './process/launcher.js';
export type {
  Launch,
  LaunchOptions,
  LaunchedProcess,
  LauncherHelperLease,
  LauncherHelperOptions,
} from './process/launcher.js';
export { launchOf } from './process/step-launcher.js';
export type { NodeStepServices } from './process/step-launcher.js';
export { killLeftoverProcesses, ProcessLedger } from './process/process-ledger.js';
export type { LeftoverProcesses } from './process/process-ledger.js';
export type { RunProcessOptions, ProcessResult } from './process/run-process.js';
export { splitLines, LineSplitter } from './process/split-lines.js';
export { authorizeCommand } from './process/command-policy.js';
export type { CommandRequest } from './process/command-policy.js';
export { assertLoaderEnvAllowed } from './process/loader-env.js';
export { abortedError } from './process/aborted-error.js';
export { processOutcome } from './process/process-outcome.js';
export { findExecutable } from './process/find-executable.js';
export { DestinationEntrySchema } from './net/destination-rule.js';
export { commandStep } from './steps/command.js';
export { scriptStep } from './steps/script.js';
export { powershellStep } from './steps/powershell.js';
export { sleepStep } from './steps/sleep.js';
export { alertStep } from './steps/alert.js';
export { serviceStep } from './steps/service.js';
export { patchStep } from './steps/patch.js';
export { runScriptFile } from './process/script-file.js';
export type { RunScriptFileOptions } from './process/script-file.js';
export { dbStep } from './steps/db/db-step.js';
export { parseDsn, maskDsn } from './steps/db/dsn.js';
export type { ParsedDsn, ServerDsn, FileDsn, DbDriverName } from './steps/db/dsn.js';
export { sshStep } from './steps/ssh/ssh-step.js';
export { sftpStep } from './steps/ssh/sftp-step.js';
export { hostKeyMatches, hostKeyFingerprint } from './steps/ssh/host-key.js';
export { httpStep } from './steps/http.js';
export { jsStep } from './steps/js.js';
export { warmJsSandbox } from './steps/js-sandbox-pool.js';
export { fileCopyStep } from './steps/file/copy.js';
export { fileMoveStep } from './steps/file/move.js';
export { fileRenameStep } from './steps/file/rename.js';
export { fileDeleteStep } from './steps/file/delete.js';
export { fileWriteStep } from './steps/file/write.js';
export { fileReadStep } from './steps/file/read.js';
export { confinePath } from './steps/file/roots.js';
export type { ConfinedPath, ConfineOptions } from './steps/file/roots.js';
export { createFileJournal } from './runtime/file-journal.js';
export type { FileJournal, FileJournalOptions } from './runtime/file-journal.js';
export { JsonlLog } from './runtime/jsonl-log.js';
export { openSharedJournal } from './runtime/shared-journal.js';
export type { SharedJournal, SharedJournalOptions } from './runtime/shared-journal.js';
export type { JsonlLogOptions } from './runtime/jsonl-log.js';
export { systemClock } from './runtime/system-clock.js';
export { createLocalServices } from './runtime/local-services.js';
export type { LocalServicesOptions } from './runtime/local-services.js';
export { downloadExecStep } from './steps/downloadexec/downloadexec-step.js';
export { parseEd25519PublicKey } from './steps/downloadexec/ed25519-key.js';
