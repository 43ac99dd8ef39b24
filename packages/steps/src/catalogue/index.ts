/**
 * `@flotilla/steps/catalogue`: the built-in step types' config schemas, effect classes and docs,
 * without their runners. Browser-safe: nothing in this entry's import graph uses Node
 * (`test/catalogue/catalogue-bundle.test.ts` bundles it for the browser), so the server, the
 * CLI, UI forms and MCP validate step configs with exactly the schemas the agent parses.
 */
export { defineStepSpec } from './step-spec.js';
export type { StepSpec } from './step-spec.js';
export { builtinStepSpecs, stepCatalogue } from './catalogue.js';
export type { BuiltinStepTypeName } from './catalogue.js';
export { commandSpec, CommandConfigSchema } from './command.js';
export type { CommandConfig } from './command.js';
export { scriptSpec, ScriptConfigSchema } from './script.js';
export type { ScriptConfig } from './script.js';
export { powershellSpec, PowershellConfigSchema } from './powershell.js';
export type { PowershellConfig } from './powershell.js';
export { sleepSpec, SleepConfigSchema } from './sleep.js';
export type { SleepConfig } from './sleep.js';
export { alertSpec, AlertConfigSchema } from './alert.js';
export type { AlertConfig } from './alert.js';
export { serviceSpec, ServiceConfigSchema } from './service.js';
export type { ServiceConfig } from './service.js';
export { patchSpec, PatchConfigSchema } from './patch.js';
export type { PatchConfig } from './patch.js';
export { httpSpec, HttpConfigSchema } from './http.js';
export type { HttpConfig } from './http.js';
export { jsSpec, JsConfigSchema } from './js.js';
export type { JsConfig } from './js.js';
export { dbSpec, DbConfigSchema } from './db.js';
export type { DbConfig } from './db.js';
export { queryEffect } from './query-effect.js';
export { sshSpec, SshConfigSchema } from './ssh.js';
export type { SshConfig } from './ssh.js';
export { sftpSpec, SftpConfigSchema } from './sftp.js';
export type { SftpConfig } from './sftp.js';
export { SftpOperationSchema } from './sftp-operations.js';
export type { SftpOperation } from './sftp-operations.js';
export { SshConnectionSchema } from './ssh-connection.js';
export type { SshConnectionConfig } from './ssh-connection.js';
export { parseHostKeyPin } from './host-key-pin.js';
export type { HostKeyPin } from './host-key-pin.js';
export { downloadExecSpec, DownloadExecConfigSchema } from './downloadexec.js';
export type { DownloadExecConfig } from './downloadexec.js';
export { smtpSpec, SmtpConfigSchema } from './smtp.js';
export type { SmtpConfig } from './smtp.js';
export { MailAddressSchema, MailAddressListSchema, parseMailbox } from './mail-address.js';
export type { Mailbox } from './mail-address.js';
export { fileCopySpec, FileCopyConfigSchema } from './file-copy.js';
export type { FileCopyConfig } from './file-copy.js';
export { fileMoveSpec, FileMoveConfigSchema } from './file-move.js';
export type { FileMoveConfig } from './file-move.js';
export { fileRenameSpec, FileRenameConfigSchema } from './file-rename.js';
export type { FileRenameConfig } from './file-rename.js';
export { fileDeleteSpec, FileDeleteConfigSchema } from './file-delete.js';
export type { FileDeleteConfig } from './file-delete.js';
export { fileWriteSpec, FileWriteConfigSchema } from './file-write.js';
export type { FileWriteConfig } from './file-write.js';
export { fileReadSpec, FileReadConfigSchema } from './file-read.js';
export type { FileReadConfig } from './file-read.js';
