import { FailureSchema, StepFailureSchema, StepStatusSchema } from '@flotilla/protocol';
import { z } from 'zod';

/** Terminal states of a run (SPEC §6 run states that the engine itself can reach). */
export const RunStatusSchema = z.enum(['succeeded', 'failed', 'cancelled', 'timed_out', 'interrupted']);
export type RunStatus = z.infer<typeof RunStatusSchema>;

/** Which part of the run a step belongs to. */
export const StepPhaseSchema = z.enum(['main', 'rollback', 'finally']);
export type StepPhase = z.infer<typeof StepPhaseSchema>;

const JsonObjectSchema = z.record(z.string(), z.unknown());

/**
 * One line of a run journal (append-only JSON lines, SPEC §5.3). `step` is the step's key:
 * its id at top level, `parent/child` inside control steps, `loop[2]/child` inside a foreach
 * iteration, `id#rollback` for a compensation step. Times are milliseconds since the epoch.
 */
export const JournalRecordSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('run.started'),
    ts: z.number(),
    runId: z.string(),
    workflow: z.string(),
    /** Inputs after defaults: a resumed run uses these, never new ones. */
    inputs: JsonObjectSchema,
  }),
  z.object({ type: z.literal('step.started'), ts: z.number(), step: z.string(), attempt: z.number().int().positive() }),
  z.object({
    /** An attempt failed and another will follow: the step is not in flight until the next start. */
    type: z.literal('step.retrying'),
    ts: z.number(),
    step: z.string(),
    attempt: z.number().int().positive(),
    error: StepFailureSchema,
  }),
  z.object({
    type: z.literal('step.finished'),
    ts: z.number(),
    step: z.string(),
    name: z.string(),
    stepType: z.string(),
    phase: StepPhaseSchema,
    /** Attempts made; 0 when the step never started (skipped, invalid config). */
    attempt: z.number().int().nonnegative(),
    status: StepStatusSchema,
    outputs: JsonObjectSchema,
    error: StepFailureSchema.optional(),
    startedAt: z.number().optional(),
  }),
  z.object({
    type: z.literal('run.finished'),
    ts: z.number(),
    status: RunStatusSchema,
    /** `step`: the key of the step whose failure ended the run. */
    error: FailureSchema.optional(),
  }),
]);
export type JournalRecord = z.infer<typeof JournalRecordSchema>;
export type StepFinishedRecord = Extract<JournalRecord, { type: 'step.finished' }>;
export type RunStartedRecord = Extract<JournalRecord, { type: 'run.started' }>;
