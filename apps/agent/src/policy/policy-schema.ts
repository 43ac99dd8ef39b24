import { isAbsolute, join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { z } from 'zod';
import { DestinationEntrySchema } from '@flotilla/steps';
import type { StepPolicy } from '@flotilla/workflow';

/** `js: false` and `js: { enabled: false }` mean the same; the object form leaves room for limits. */
const Toggle = (enabledByDefault: boolean) =>
  z
    .union([z.boolean(), z.strictObject({ enabled: z.boolean().default(enabledByDefault) })])
    .default(enabledByDefault)
    .transform((value) => (typeof value === 'boolean' ? value : value.enabled));

const AbsolutePath = z.string().min(1).refine(isAbsolute, 'must be an absolute path');

/** `'*'`, a program name (found on the agent's own PATH) or an absolute path. */
const CommandEntry = z
  .string()
  .min(1)
  .refine(
    (entry) => !entry.includes('/') || isAbsolute(entry),
    'a program name (found on the agent\'s PATH), an absolute path, or "*"',
  );

/** An environment variable name, or `'*'`. */
const EnvName = z.string().regex(/^(\*|[A-Za-z_][A-Za-z0-9_]*)$/, 'an environment variable name, or "*"');

/** Where outbound HTTP may go (http steps, downloadexec downloads, patch health URLs). */
const HttpDestinations = z.strictObject({
  /** When present, only these destinations are allowed. */
  allow: z.array(DestinationEntrySchema).optional(),
  /** Refused even when `allow` matches. */
  deny: z.array(DestinationEntrySchema).default([]),
  /** Refuse link-local addresses (169.254.0.0/16, fe80::/10) and cloud metadata endpoints. */
  deny_metadata: z.boolean().default(false),
});

/**
 * The agent's local policy file (`<dataDir>/policy.yaml` or `--policy FILE`), SPEC §4. Unknown
 * keys are errors: a misspelt restriction must not silently allow everything.
 */
export const PolicyDocumentSchema = z.strictObject({
  /**
   * Programs the process-starting steps may run: names found on the agent's own PATH, or absolute
   * paths, matched on the file they resolve to and its name; `'*'` allows all.
   */
  allowed_commands: z.array(CommandEntry).default(['*']),
  /**
   * Loader variables a step's `env` (or a secret) may set: dynamic-loader variables (LD_PRELOAD,
   * LD_LIBRARY_PATH, DYLD_*…) always need listing, PATH and the shell/interpreter start-up
   * variables while `allowed_commands` is restricted; `'*'` allows all.
   */
  allowed_loader_env: z.array(EnvName).default([]),
  /** Outbound HTTP destinations. @default no restriction */
  http_destinations: HttpDestinations.default({ deny: [], deny_metadata: false }),
  /** Directories file steps (and sqlite files) may touch. @default [<dataDir>/work, os.tmpdir()] */
  allowed_file_roots: z.array(AbsolutePath).optional(),
  /** Services the `service` step may control; `'*'` allows all. */
  allowed_services: z.array(z.string().min(1)).default([]),
  downloadexec: Toggle(false),
  js: Toggle(true),
  /** Step types that fail with POLICY_DENIED before they run. */
  disabled_step_types: z.array(z.string().min(1)).default([]),
  /** Runs executed at once; further offers wait in a local queue. */
  max_concurrent_runs: z.number().int().min(1).max(1000).default(4),
});
export type PolicyDocument = z.input<typeof PolicyDocumentSchema>;

/**
 * Keys that are not options of this version, with what to do instead. SPEC §4 lists allowed log
 * paths, but nothing reads log files yet: accepting the key would be a restriction that restricts
 * nothing, so it comes back with the feature that obeys it.
 */
const NOT_YET_OPTIONS: ReadonlyMap<string, string> = new Map([
  [
    'allowed_log_paths',
    'not an option of this version: no step or watcher reads log files yet, so it would restrict nothing; remove it (it returns with the log-reading feature)',
  ],
]);

/** Why a key of the policy file at `parent` (its path; `[]` for the top level) is refused. */
export function unknownPolicyKeyMessage(parent: readonly (string | number)[], key: string): string {
  const notYet = parent.length === 0 ? NOT_YET_OPTIONS.get(key) : undefined;
  if (notYet !== undefined) return notYet;
  const where = parent.length === 0 ? 'a policy file' : `"${parent.join('.')}"`;
  return `unknown key "${key}": ${where} has no such option; correct its spelling or remove it (the options are listed in docs/agents.md)`;
}

/** The policy in the form the agent and the steps use. Immutable: a reload swaps the object. */
export interface CompiledPolicy extends StepPolicy {
  readonly disabledStepTypes: ReadonlySet<string>;
  readonly maxConcurrentRuns: number;
  /** Where it came from (`null`: built-in defaults, no file). */
  readonly source: string | null;
}

/** The work directory inside the data dir: the default file root and cwd-friendly scratch space. */
export function workDirOf(dataDir: string): string {
  return join(dataDir, 'work');
}

/** Fills the defaults that depend on the data dir and freezes the result. */
export function compilePolicy(
  document: z.output<typeof PolicyDocumentSchema>,
  context: { dataDir: string; source: string | null },
): CompiledPolicy {
  const roots = document.allowed_file_roots ?? [workDirOf(context.dataDir), tmpdir()];
  return Object.freeze({
    allowedCommands: Object.freeze([...document.allowed_commands]),
    allowedLoaderEnv: Object.freeze([...document.allowed_loader_env]),
    httpDestinations: Object.freeze({
      allow:
        document.http_destinations.allow === undefined
          ? undefined
          : Object.freeze([...document.http_destinations.allow]),
      deny: Object.freeze([...document.http_destinations.deny]),
      denyMetadata: document.http_destinations.deny_metadata,
    }),
    allowedFileRoots: Object.freeze(roots.map((root) => resolve(root))),
    allowedServices: Object.freeze([...document.allowed_services]),
    downloadExecEnabled: document.downloadexec,
    jsEnabled: document.js,
    disabledStepTypes: new Set(document.disabled_step_types),
    maxConcurrentRuns: document.max_concurrent_runs,
    source: context.source,
  });
}

/** The policy of an agent without a policy file. */
export function defaultPolicy(dataDir: string): CompiledPolicy {
  return compilePolicy(PolicyDocumentSchema.parse({}), { dataDir, source: null });
}
