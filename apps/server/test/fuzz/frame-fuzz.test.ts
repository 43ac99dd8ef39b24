import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialectAvailable, DIALECTS } from '../helpers/databases.js';
import { WORKFLOW } from '../helpers/api.js';
import { startFleet } from '../jobs/fleet-helpers.js';
import type { Fleet, FleetAgent } from '../jobs/fleet-helpers.js';
import { hostileJsonValues, toJsonText } from './json-schema-values.js';

type Json = Record<string, unknown>;

/** Every path to a value inside a frame (`['event', 'line']`), leaves and objects alike. */
function paths(value: unknown, prefix: string[] = []): string[][] {
  if (typeof value !== 'object' || value === null) return [prefix];
  const out: string[][] = prefix.length === 0 ? [] : [prefix];
  for (const [key, child] of Object.entries(value)) out.push(...paths(child, [...prefix, key]));
  return out;
}

function withValue(frame: Json, path: string[], value: unknown): Json {
  const copy = structuredClone(frame);
  let at: Json = copy;
  for (const key of path.slice(0, -1)) at = at[key] as Json;
  at[path.at(-1) ?? ''] = value;
  return copy;
}

/** The frames an agent sends after the handshake, valid, with `seq` filled in when sent. */
function templates(runId: string): Json[] {
  const ts = new Date().toISOString();
  const log = { kind: 'log', ts, step: 'say', stream: 'stdout', line: 'fuzz' };
  return [
    { type: 'run.event', seq: 0, runId, event: log },
    { type: 'run.events', items: [{ seq: 0, runId, event: log }] },
    { type: 'run.event', seq: 0, runId, event: { kind: 'step.started', ts, step: 'say', attempt: 1 } },
    {
      type: 'run.event',
      seq: 0,
      runId,
      event: {
        kind: 'step.finished',
        ts,
        step: 'say',
        status: 'succeeded',
        exitCode: 0,
        error: 'e',
        outputs: { k: 'v' },
      },
    },
    { type: 'ping', ts: 1 },
    { type: 'pong', ts: 1 },
    { type: 'error', code: 'INTERNAL', message: 'fuzz' },
    { type: 'job.ack', runId },
    {
      type: 'run.event',
      seq: 0,
      runId,
      event: { kind: 'run.finished', ts, state: 'succeeded', exitCode: 0, error: 'e' },
    },
    { type: 'job.reject', runId, code: 'POLICY_DENIED', message: 'fuzz' },
  ];
}

/** Gives a frame the next sequence number(s) the server expects, unless `seq` is what is mutated. */
function sequenced(frame: Json, agent: FleetAgent, mutated: string[]): Json {
  if (mutated[0] === 'seq' || mutated.includes('items')) return frame;
  if (frame.type === 'run.event') return { ...frame, seq: agent.seq + 1 };
  if (frame.type === 'run.events' && Array.isArray(frame.items)) {
    return {
      ...frame,
      items: frame.items.map((item: Json, i) =>
        typeof item === 'object' && item !== null ? { ...item, seq: agent.seq + 1 + i } : item,
      ),
    };
  }
  return frame;
}

describe.each(DIALECTS)('agent channel frame fuzz [%s]', (dialect) => {
  if (!dialectAvailable[dialect]) {
    it.skip(`${dialect} is not available`, () => undefined);
    return;
  }
  let fleet: Fleet;
  beforeAll(async () => {
    fleet = await startFleet(dialect);
  });
  afterAll(() => fleet.close());

  // Hostile values in every field of every frame an agent sends (NUL bytes, 32/53-bit overflows,
  // wrong types, deep nesting): each is stored, refused as PROTOCOL_ERROR, or ends the session for
  // a replay; none may fail inside the server (`INTERNAL`).
  it('never answers a hostile frame with INTERNAL, and the channel keeps working', async () => {
    const agent = await fleet.agent('frame-fuzz');
    const job = (await fleet.client.post('/jobs', { workflow: WORKFLOW, target: { agent: 'frame-fuzz' } })).body;
    const { runId } = await agent.offer();
    agent.ack(runId);
    // The 1.1-million-character value is left out: frames over 1 MiB are the frame-size limit's concern.
    const values = (original: unknown) =>
      hostileJsonValues(original).filter((v) => !(typeof v === 'string' && v.length > 1_000_000));
    const internal: string[] = [];
    const closes: Record<number, number> = {};
    let sent = 0;
    let marker = 0;
    for (const template of templates(runId)) {
      for (const path of paths(template)) {
        for (const value of values(path.reduce<unknown>((v, k) => (v as Json)[k], template))) {
          const channel = agent.channel ?? (await agent.connect());
          const frame = sequenced(withValue(template, path, value), agent, path);
          const from = channel.frames.length;
          channel.send(toJsonText(frame));
          sent++;
          // Frames are handled in order: the pong for this ping means the fuzzed frame is done.
          channel.send({ type: 'ping', ts: ++marker });
          try {
            for (;;) if ((await channel.next('pong', 15_000)).ts === marker) break;
          } catch {
            const { code } = await channel.closed;
            closes[code] = (closes[code] ?? 0) + 1;
            agent.channel = undefined;
          }
          for (const reply of channel.frames.slice(from)) {
            if (reply.type === 'error' && reply.code !== 'PROTOCOL_ERROR')
              internal.push(`${path.join('.')}=${toJsonText(value).slice(0, 60)}: ${reply.code} ${reply.message}`);
            if (reply.type === 'event.ack') agent.seq = Math.max(agent.seq, reply.seq);
          }
        }
      }
    }
    console.log(
      `frame fuzz [${dialect}]: ${sent} frames; sessions ended by the server: ${JSON.stringify(closes)}; non-protocol errors ${internal.length}`,
    );
    expect(internal).toEqual([]);
    // The channel still stores events.
    const channel = agent.channel ?? (await agent.connect());
    channel.send({
      type: 'run.event',
      seq: agent.seq + 1,
      runId,
      event: { kind: 'log', ts: new Date().toISOString(), step: 'say', stream: 'stdout', line: 'after the fuzz' },
    });
    expect((await channel.next('event.ack')).seq).toBe(agent.seq + 1);
    const lines = (await fleet.client.get(`/jobs/${job.id}/logs?limit=10000`)).body.items as { line: string }[];
    expect(lines.at(-1)?.line).toBe('after the fuzz');
  }, 300_000);
});
