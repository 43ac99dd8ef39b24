/**
 * Documents written in the simple task-list style (SPEC §5.1) validate and run as written, and
 * validation agrees with run time:
 * - every document of `documents/` validates with the step catalogue (as `flotilla validate`,
 *   the control plane and the agent check it) and runs with `flotilla run` against a local HTTP
 *   server, SQLite, PostgreSQL, MariaDB and a real sshd, with the step statuses `expected.yaml`
 *   lists; no step fails a config check (`CONFIG_INVALID`, `EXPRESSION_ERROR`): what
 *   validates is not refused when it runs;
 * - every document of `refused/` (mutations of those) is refused by validation, and the same
 *   document compiled without the config checks and run with the real step registry fails
 *   exactly the steps validation flagged, with a config-check code: run refuses what validate
 *   refuses, and nothing else.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import { main } from '@flotilla/cli';
import { createLocalServices, createStepRegistry, systemClock } from '@flotilla/steps';
import { stepCatalogue } from '@flotilla/steps/catalogue';
import { createEngine, createMemoryJournal, validateWorkflow } from '@flotilla/workflow';
import type { RunRecord, StepRecord } from '@flotilla/workflow';
import type { Sshd } from '../../packages/steps/test/helpers/sshd.js';
import { present } from '../../packages/steps/test/helpers/require-service.js';
import { API_TOKEN, probeServices, startCorpusHttp } from './corpus-services.js';
import type { CorpusService } from './corpus-services.js';

/** Failures that mean "the config was wrong", which validation must have caught. */
const CONFIG_CHECK_CODES = new Set(['CONFIG_INVALID', 'EXPRESSION_ERROR']);
/** Validation codes of problems in a step's config. */
const CONFIG_PROBLEM_CODES = new Set(['INVALID_CONFIG', 'UNKNOWN_CONFIG_FIELD', 'MISSING_FIELD', 'UNKNOWN_NAME']);

interface RunExpectation {
  services?: CorpusService[];
  status: string;
  /** Per step key: `succeeded`, `skipped`, or `failed CODE` / `timed_out CODE`. */
  steps: Record<string, string>;
  /** The workflow's name as the run record shows it (placeholders resolved). */
  workflow?: string;
  /** Step names as the run record shows them, by key. */
  names?: Record<string, string>;
  /** What changes where PowerShell is installed (the steps of type powershell then run). */
  with_powershell?: { status: string; steps: Record<string, string> };
}
interface RefusalExpectation {
  /** `CODE line:column [step]`, as validation reports them. */
  problems: string[];
  /** Per step key, how the run without config checks ends. */
  run: Record<string, string>;
}

const here = import.meta.dirname;
const load = <T>(file: string): Record<string, T> => parse(readFileSync(join(here, file), 'utf8')) as Record<string, T>;
const yamlFiles = (dir: string): string[] =>
  readdirSync(join(here, dir))
    .filter((f) => f.endsWith('.yaml'))
    .sort();
const documents = yamlFiles('documents');
const refused = yamlFiles('refused');
const expected = load<RunExpectation>('expected.yaml');
const expectedRefusals = load<RefusalExpectation>('expected-refused.yaml');

const powershellInstalled = (process.env.PATH ?? '')
  .split(delimiter)
  .some((dir) => existsSync(join(dir, 'pwsh')) || existsSync(join(dir, 'powershell')));

/** `succeeded`, or the status and the failure code. */
function outcome(step: StepRecord): string {
  return step.error === undefined || step.status === 'skipped' ? step.status : `${step.status} ${step.error.code}`;
}

const outcomes = (record: RunRecord): Record<string, string> =>
  Object.fromEntries(record.steps.map((s) => [s.key, outcome(s)]));

const configCheckFailures = (record: RunRecord): string[] =>
  record.steps.filter((s) => s.error !== undefined && CONFIG_CHECK_CODES.has(s.error.code)).map((s) => s.key);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Every step of a parsed document, nested ones included. */
function stepsOf(doc: unknown): Record<string, unknown>[] {
  const found: Record<string, unknown>[] = [];
  const visit = (list: unknown): void => {
    if (!Array.isArray(list)) return;
    for (const step of list) {
      if (!isRecord(step)) continue;
      found.push(step);
      for (const key of ['then', 'else', 'tasks']) visit(step[key]);
    }
  };
  if (isRecord(doc)) for (const key of ['tasks', 'steps', 'finally']) visit(doc[key]);
  return found;
}

let http: Awaited<ReturnType<typeof startCorpusHttp>>;
let available: Set<CorpusService>;
let sshd: Sshd | undefined;
let work: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'flotilla-simple-corpus-'));
  http = await startCorpusHttp(join(here, 'artifacts'));
  ({ available, sshd } = await probeServices());
  // the secrets the documents declare, read from the environment by `flotilla run`
  const secrets = { API_TOKEN, DB_PASSWORD: 'corpus-db-password', SSH_KEY: sshd?.clientKey ?? 'no sshd here' };
  for (const [name, value] of Object.entries(secrets)) vi.stubEnv(name, value);
}, 60_000);

afterAll(async () => {
  vi.unstubAllEnvs();
  await http.close();
  await sshd?.stop();
  rmSync(work, { recursive: true, force: true });
});

/** `--var` flags for the variables the document declares that point at this machine's services. */
function varFlags(document: string, scratch: string): string[] {
  const doc = parse(document) as { variables?: Record<string, unknown>; vars?: Record<string, unknown> };
  const declared = Object.keys(doc.variables ?? doc.vars ?? {});
  const values: Record<string, string> = {
    http_base: http.base,
    ssh_port: String(sshd?.port ?? 22),
    ssh_user: sshd?.user ?? 'deploy',
    ssh_key: sshd?.clientKeyPath ?? '/nonexistent',
    ssh_host_key: sshd?.hostKeyFingerprint ?? 'SHA256:none',
    scratch,
    sqlite_path: join(scratch, 'corpus.db'),
    marker: join(scratch, 'retry-marker'),
    suffix: randomBytes(4).toString('hex'),
  };
  return declared.flatMap((name) => (values[name] === undefined ? [] : ['--var', `${name}=${values[name]}`]));
}

/** `flotilla run FILE --json` in this process; the run record it prints. */
async function flotillaRun(
  file: string,
  flags: string[],
): Promise<{ code: number; record: RunRecord; stderr: string }> {
  const printed: string[] = [];
  const errors: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void printed.push(args.join(' ')));
  const error = vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void errors.push(args.join(' ')));
  try {
    const code = await main(['run', file, '--json', ...flags]);
    const json = printed.find((text) => text.trimStart().startsWith('{') && text.includes('"runId"'));
    if (json === undefined) expect.fail(`flotilla run printed no run record (exit ${code}):\n${errors.join('\n')}`);
    return { code, record: JSON.parse(json) as RunRecord, stderr: errors.join('\n') };
  } finally {
    log.mockRestore();
    error.mockRestore();
    process.exitCode = undefined;
  }
}

describe('simple-style corpus: documents validate and run as written', () => {
  it('has at least 20 documents, each with its expectation, covering the simple style', () => {
    expect(documents.length).toBeGreaterThanOrEqual(20);
    expect(Object.keys(expected).sort()).toEqual(documents);
    const all = documents.map((f) => readFileSync(join(here, 'documents', f), 'utf8')).join('\n');
    // timeout inside config for these types, and the other constructs of the style
    const timed = new Set(
      documents.flatMap((f) =>
        stepsOf(parse(readFileSync(join(here, 'documents', f), 'utf8'), { merge: true }))
          .filter((step) => {
            const config = step.config ?? step.with;
            return isRecord(config) && 'timeout' in config;
          })
          .map((step) => step.type),
      ),
    );
    for (const type of ['command', 'ssh', 'powershell', 'http', 'db', 'downloadexec'])
      expect(timed.has(type), `config.timeout on a ${type} step`).toBe(true);
    for (const construct of [
      '<<: *',
      '\nvars:',
      '\nsteps:',
      'with:',
      'retry:',
      'needs:',
      'type: if',
      'type: foreach',
      'type: parallel',
      'type: workflow',
      'outputs:',
      'continue_on_error:',
      'finally:',
      'on_failure: rollback',
      'name: deploy-{{.',
      'description:',
      'secrets:',
    ])
      expect(all, construct).toContain(construct);
  });

  for (const file of documents) {
    it(file, async () => {
      const path = join(here, 'documents', file);
      const text = readFileSync(path, 'utf8');
      const validation = validateWorkflow(text, { steps: stepCatalogue });
      expect(validation.ok ? [] : validation.problems).toEqual([]);
      expect(validation.warnings).toEqual([]);

      const want = expected[file];
      if (want === undefined) return expect.fail(`${file} has no entry in expected.yaml`);
      const missing = (want.services ?? []).filter((s) => !available.has(s));
      if (missing.length > 0 && !present(`${missing.join(', ')} for ${file}`, false)) return;

      const scratch = mkdtempSync(join(work, file.replace(/\.yaml$/, '-')));
      const { code, record, stderr } = await flotillaRun(path, varFlags(text, scratch));
      // what validates is not refused when it runs
      expect(configCheckFailures(record), stderr).toEqual([]);
      const powershell = powershellInstalled && want.with_powershell !== undefined;
      const status = powershell ? want.with_powershell!.status : want.status;
      const steps = powershell ? { ...want.steps, ...want.with_powershell!.steps } : want.steps;
      expect(outcomes(record), stderr).toEqual(steps);
      expect(record.status).toBe(status);
      expect(code).toBe(status === 'succeeded' ? 0 : 1);
      if (want.workflow !== undefined) expect(record.workflow).toBe(want.workflow);
      if (want.names !== undefined) {
        const names = Object.fromEntries(record.steps.map((s) => [s.key, s.name]));
        expect(names).toMatchObject(want.names);
      }
    });
  }
});

describe('simple-style corpus: validate refuses exactly what run refuses', () => {
  it('has refused documents, each with its expectation', () => {
    expect(refused.length).toBeGreaterThanOrEqual(5);
    expect(Object.keys(expectedRefusals).sort()).toEqual(refused);
  });

  for (const file of refused) {
    it(file, async () => {
      const text = readFileSync(join(here, 'refused', file), 'utf8');
      const want = expectedRefusals[file];
      if (want === undefined) return expect.fail(`${file} has no entry in expected-refused.yaml`);
      const validation = validateWorkflow(text, { steps: stepCatalogue });
      const problems = validation.ok ? [] : validation.problems;
      expect(problems.map((p) => `${p.code} ${p.line}:${p.column} [${p.step ?? ''}]`)).toEqual(want.problems);

      // the same document with its shape checked but not its configs, run with the real steps
      const structural = validateWorkflow(text);
      if (!structural.ok) return expect.fail(structural.problems.map((p) => p.message).join('\n'));
      const scratch = mkdtempSync(join(work, file.replace(/\.yaml$/, '-')));
      const engine = createEngine({
        registry: createStepRegistry(),
        clock: systemClock,
        journal: createMemoryJournal(),
        services: createLocalServices({ fileRoots: [scratch, tmpdir()], onAlert: () => undefined }),
      });
      const secrets = Object.fromEntries(structural.workflow.secrets.map((name) => [name, process.env[name] ?? '']));
      const record = await engine.run({ runId: `refused-${file}`, workflow: structural.workflow, secrets });
      expect(outcomes(record)).toEqual(want.run);
      // exactly the steps validation flagged fail a config check at run time
      const flagged = [...new Set(problems.filter((p) => CONFIG_PROBLEM_CODES.has(p.code)).map((p) => p.step))];
      expect(configCheckFailures(record).sort()).toEqual(flagged.sort());
    });
  }
});
