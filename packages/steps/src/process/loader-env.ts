import { StepError } from '@flotilla/workflow';
import type { StepPolicy } from '@flotilla/workflow';

/**
 * Variables read by the dynamic loader (glibc, musl, macOS dyld): they load code into every
 * program started with them, whatever program the policy allowed (LD_PRELOAD, LD_AUDIT,
 * LD_LIBRARY_PATH, DYLD_INSERT_LIBRARIES…; GCONV_PATH loads iconv modules; GLIBC_TUNABLES had
 * CVE-2023-4911). Refused under every policy unless listed in `allowed_loader_env`.
 */
const DYNAMIC_LOADER: readonly (string | RegExp)[] = [/^LD_/, /^DYLD_/, 'GCONV_PATH', 'GLIBC_TUNABLES'];

/**
 * Variables that choose which program a search finds or make a shell or interpreter run code
 * before its own: with them an allowed script or interpreter runs something else. Refused while
 * `allowed_commands` is restricted (without a restriction any program may run anyway).
 */
const PROGRAM_STARTUP: readonly (string | RegExp)[] = [
  'PATH',
  'BASH_ENV',
  'ENV',
  'SHELLOPTS',
  'BASHOPTS',
  'PS4',
  /^BASH_FUNC_/,
  'NODE_OPTIONS',
  'PYTHONPATH',
  'PYTHONHOME',
  'PYTHONSTARTUP',
  'PERL5OPT',
  'PERL5LIB',
  'PERLLIB',
  'RUBYOPT',
  'RUBYLIB',
  'JAVA_TOOL_OPTIONS',
  'JDK_JAVA_OPTIONS',
  '_JAVA_OPTIONS',
];

const matches = (name: string, list: readonly (string | RegExp)[]): boolean =>
  list.some((entry) => (typeof entry === 'string' ? entry === name : entry.test(name)));

/** True unless `allowedCommands` contains `'*'`. */
export function commandsRestricted(policy: StepPolicy): boolean {
  return !policy.allowedCommands.includes('*');
}

/**
 * Throws a `POLICY_DENIED` StepError when `env` (what a step adds to the agent's environment: its
 * `env` config and the run's secrets) sets a loader variable the policy does not allow. The
 * message names the variable, never its value (it may be a secret).
 */
export function assertLoaderEnvAllowed(policy: StepPolicy, env: Readonly<Record<string, string>>): void {
  const allowed = policy.allowedLoaderEnv;
  if (allowed.includes('*')) return;
  const restricted = commandsRestricted(policy);
  for (const name of Object.keys(env)) {
    if (allowed.includes(name)) continue;
    if (matches(name, DYNAMIC_LOADER)) {
      throw new StepError(
        'POLICY_DENIED',
        `the agent policy does not let a step set ${name}: it makes the dynamic loader load code into the program (allowed_loader_env)`,
      );
    }
    if (restricted && matches(name, PROGRAM_STARTUP)) {
      throw new StepError(
        'POLICY_DENIED',
        `the agent policy does not let a step set ${name} while allowed_commands is restricted: it changes what an allowed program runs (allowed_loader_env)`,
      );
    }
  }
}
