import type { Kysely, Migration } from 'kysely';
import { errorCatalogue, failureFromText, type ErrorCode, type Failure } from '@flotilla/protocol';

/*
 * Run and step failures become structured: `runs.error` and `run_steps.error` hold the failure as
 * JSON (`{code, message, retryable}`) instead of `"CODE: message"` text, and `runs.error_code`,
 * which repeated the code for the runs the server failed itself and was never read, goes. Rows
 * written the old way are converted: the code the server stored beside its own texts
 * (`EXPIRED`, `CANCELLED` with a plain message), else the text's `CODE:` prefix, else `INTERNAL`
 * with the whole text; old texts never said whether a retry could help, so `retryable` is false.
 * Also dropped, unused since log chunks replaced them: the `run_logs` table and `runs.log_seq`.
 * Frozen once released.
 */

/** The columns this migration reads and writes, as they are before it. */
interface Before {
  runs: { id: string; error: string | null; error_code: string | null };
  run_steps: { run_id: string; step: string; error: string | null };
}

/** Rows converted per query: bounded memory whatever the table size. */
const PAGE = 1000;

/** The old server's step note (`jobs/step-outputs.ts`), which had no code of its own. */
const DROPPED_OUTPUTS_PREFIX = 'outputs not stored: ';

function isErrorCode(code: string | null): code is ErrorCode {
  return code !== null && Object.hasOwn(errorCatalogue, code);
}

/** The failure an old `runs.error` / `run_steps.error` text (with its `error_code`) stood for. */
export function migratedFailure(text: string, storedCode: string | null): Failure {
  if (isErrorCode(storedCode) && !text.startsWith(`${storedCode}: `))
    return { code: storedCode, message: text, retryable: false };
  if (text.startsWith(DROPPED_OUTPUTS_PREFIX)) return { code: 'OUTPUTS_NOT_STORED', message: text, retryable: false };
  return failureFromText(text);
}

async function convertRuns(db: Kysely<Before>): Promise<void> {
  let after = '';
  for (;;) {
    const rows = await db
      .selectFrom('runs')
      .select(['id', 'error', 'error_code'])
      .where('error', 'is not', null)
      .where('id', '>', after)
      .orderBy('id')
      .limit(PAGE)
      .execute();
    // the runs of a fan-out often failed alike: one update per distinct failure of the page
    const byError = new Map<string, string[]>();
    for (const row of rows) {
      const error = JSON.stringify(migratedFailure(row.error ?? '', row.error_code));
      const ids = byError.get(error);
      if (ids === undefined) byError.set(error, [row.id]);
      else ids.push(row.id);
    }
    for (const [error, ids] of byError) await db.updateTable('runs').set({ error }).where('id', 'in', ids).execute();
    const last = rows.at(-1);
    if (last === undefined || rows.length < PAGE) return;
    after = last.id;
  }
}

async function convertSteps(db: Kysely<Before>): Promise<void> {
  let after = { runId: '', step: '' };
  for (;;) {
    const rows = await db
      .selectFrom('run_steps')
      .select(['run_id', 'step', 'error'])
      .where('error', 'is not', null)
      .where((eb) =>
        eb.or([eb('run_id', '>', after.runId), eb.and([eb('run_id', '=', after.runId), eb('step', '>', after.step)])]),
      )
      .orderBy('run_id')
      .orderBy('step')
      .limit(PAGE)
      .execute();
    for (const row of rows) {
      const error = JSON.stringify(migratedFailure(row.error ?? '', null));
      await db
        .updateTable('run_steps')
        .set({ error })
        .where('run_id', '=', row.run_id)
        .where('step', '=', row.step)
        .execute();
    }
    const last = rows.at(-1);
    if (last === undefined || rows.length < PAGE) return;
    after = { runId: last.run_id, step: last.step };
  }
}

export const runFailuresMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    const before = db as Kysely<Before>;
    await convertRuns(before);
    await convertSteps(before);
    await db.schema.alterTable('runs').dropColumn('error_code').execute();
    await db.schema.alterTable('runs').dropColumn('log_seq').execute();
    await db.schema.dropTable('run_logs').execute();
  },
};
