import { z } from 'zod';
import type { ActionOutcome, ActionRun, ActionStep, ProbeAction, ProbeResult } from './action.js';
import { ProbeActionError } from './action.js';
import { asText, isMap } from './values.js';

const Count = z.union([z.int().min(1), z.string().regex(/^\d+$/)]);

const SmtpWithSchema = z.strictObject({
  addr: z.string().regex(/^[^\s:]+:\d+$/, { error: 'addr is host:port' }),
  from: z.string().min(1),
  to: z.string().min(1),
  subject: z.string().optional(),
  myhostname: z.string().min(1).optional(),
  session: Count.optional(),
  message: Count.optional(),
  length: z.union([z.int().min(0), z.string().regex(/^\d+$/)]).optional(),
});

/** probe's generated body: a sentence, then `length` stars in lines of 80. */
function generatedBody(length: number): string {
  const stars = '*'.repeat(length);
  const lines = stars.match(/.{1,80}/g) ?? [];
  return ['This is a test mail.', ...lines].join('\n');
}

function counts(input: Record<string, unknown>): { session: number; message: number; length: number } {
  const number = (value: unknown, fallback: number): number => (value === undefined ? fallback : Number(value));
  return { session: number(input.session, 1), message: number(input.message, 1), length: number(input.length, 0) };
}

function toStep(input: Record<string, unknown>): ActionStep {
  const addr = asText(input.addr);
  const at = addr.lastIndexOf(':');
  const port = Number(addr.slice(at + 1));
  if (at <= 0 || !Number.isInteger(port)) throw new ProbeActionError(`addr "${addr}" is not host:port`);
  const { session, message, length } = counts(input);
  if (session < 1 || message < 1) throw new ProbeActionError('session and message are at least 1');
  const to = asText(input.to)
    .split(',')
    .map((address) => address.trim())
    .filter((address) => address !== '');
  const config = {
    host: addr.slice(0, at),
    port,
    from: asText(input.from),
    to,
    subject: asText(input.subject),
    body: generatedBody(length),
    ...(input.myhostname === undefined ? {} : { helo_name: asText(input.myhostname) }),
  };
  return { config, repeat: { count: message, concurrency: session } };
}

function toResult(outcome: ActionOutcome, input: Record<string, unknown>): ProbeResult {
  const { message, length } = counts(input);
  const runs = (Array.isArray(outcome.outputs.runs) ? outcome.outputs.runs : []) as ActionRun[];
  const sent = runs.filter((run) => run.ok).length;
  const failed = runs.length - sent;
  // a refusal is an answer (the test judges it); no run reaching the server at all is an error
  const answered = runs.some((run) => run.ok || (isMap(run.outputs) && run.outputs.response !== undefined));
  const error = runs.find((run) => !run.ok)?.failure;
  const maildata = [
    `From: ${asText(input.from)}`,
    `To: ${asText(input.to)}`,
    `Subject: ${asText(input.subject)}`,
    '',
    generatedBody(length),
  ].join('\r\n');
  const res = {
    code: failed === 0 && sent > 0 ? 0 : 1,
    sent,
    failed,
    total: message,
    error: error?.message ?? '',
    maildata,
  };
  const req = {
    addr: asText(input.addr),
    from: asText(input.from),
    to: asText(input.to),
    subject: asText(input.subject),
  };
  return { res, req, status: res.code, error: answered || outcome.ok ? undefined : outcome.failure };
}

/**
 * `smtp`: `message` generated mails (`length` stars long) through `addr`, `session` at a time,
 * each one a run of the `smtp` step type; `res.code`, `res.sent`, `res.failed`, `res.total`.
 */
export const smtpAction: ProbeAction = {
  name: 'smtp',
  stepType: 'smtp',
  withSchema: SmtpWithSchema,
  unsupportedFields: {},
  toStep,
  toResult,
};
