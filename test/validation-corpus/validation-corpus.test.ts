/**
 * One corpus of workflow documents, three validators: `POST /workflows/validate` on a real
 * server, `flotilla validate --json` (the CLI in-process) and the agent's own check of an
 * offered job's workflow. All three must report the same problems and warnings (code, line,
 * column, step, path, message) for every document, and those must be the ones `expected.yaml`
 * lists, so the corpus also pins what the validator says.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import { createWorkflowCheck } from '@flotilla/agent';
import { main } from '@flotilla/cli';
import { controlPlanes, type ControlPlane } from '../e2e/helpers/control-plane.js';

const dir = join(import.meta.dirname, 'documents');
const files = readdirSync(dir)
  .filter((file) => file.endsWith('.yaml'))
  .sort();
/** Per document: its problems as `CODE line:column [step]`, then its warnings as `warning CODE …`. */
const expected = parse(readFileSync(join(import.meta.dirname, 'expected.yaml'), 'utf8')) as Record<
  string,
  string[] | null
>;

interface Problem {
  code: string;
  line: number;
  column: number;
  step?: string | undefined;
  path: string;
  message: string;
}
interface Verdict {
  problems: Problem[];
  warnings: Problem[];
}

/** The fields every validator reports, without keys whose value is absent. */
function normalise(list: readonly Problem[]): Problem[] {
  return list.map(({ code, line, column, step, path, message }) => ({
    code,
    line,
    column,
    ...(step === undefined ? {} : { step }),
    path,
    message,
  }));
}

const summary = (problems: readonly Problem[]): string[] =>
  problems.map((p) => `${p.code} ${p.line}:${p.column}${p.step === undefined ? '' : ` [${p.step}]`}`);

async function viaRest(cp: ControlPlane, document: string): Promise<Verdict> {
  const res = await cp.api.post('/workflows/validate', { document });
  // a document over a limit is refused (400 WORKFLOW_TOO_LARGE) with its problems as `errors`
  if (res.body.code === 'WORKFLOW_TOO_LARGE') {
    expect(res.status).toBe(400);
    return { problems: normalise(res.body.errors as Problem[]), warnings: [] };
  }
  expect(res.status).toBe(200);
  return { problems: normalise(res.body.problems as Problem[]), warnings: normalise(res.body.warnings as Problem[]) };
}

async function viaCli(file: string): Promise<Verdict> {
  const printed: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void printed.push(args.join(' ')));
  try {
    const code = await main(['validate', file, '--json']);
    const out = JSON.parse(printed.join('\n')) as { ok: boolean; problems: Problem[]; warnings: Problem[] };
    expect(code).toBe(out.ok ? 0 : 1);
    return { problems: normalise(out.problems), warnings: normalise(out.warnings) };
  } finally {
    log.mockRestore();
    process.exitCode = undefined;
  }
}

const agentCheck = createWorkflowCheck();

function viaAgent(document: string): Verdict {
  const result = agentCheck(document);
  return { problems: result.ok ? [] : normalise(result.problems), warnings: normalise(result.warnings) };
}

const planes = controlPlanes();
let cp: ControlPlane;
beforeAll(async () => {
  cp = await planes.start();
});
afterAll(async () => {
  await planes.cleanup();
});

describe('validation corpus: the server, flotilla validate and the agent agree', () => {
  it('has at least 30 documents, valid and invalid, each with its expectation', () => {
    expect(files.length).toBeGreaterThanOrEqual(30);
    expect(Object.keys(expected).sort()).toEqual(files);
    const invalid = (f: string): boolean => (expected[f] ?? []).some((p) => !p.startsWith('warning '));
    expect(files.filter((f) => !invalid(f)).length).toBeGreaterThanOrEqual(10);
    expect(files.filter(invalid).length).toBeGreaterThanOrEqual(15);
  });

  for (const file of files) {
    it(file, async () => {
      const path = join(dir, file);
      const document = readFileSync(path, 'utf8');
      const agent = viaAgent(document);
      const warnings = summary(agent.warnings).map((w) => `warning ${w}`);
      expect([...summary(agent.problems), ...warnings]).toEqual(expected[file] ?? []);
      expect(await viaRest(cp, document)).toEqual(agent);
      expect(await viaCli(path)).toEqual(agent);
    });
  }
});
