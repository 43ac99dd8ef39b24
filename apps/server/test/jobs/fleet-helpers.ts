import { randomBytes } from 'node:crypto';
import { signEd25519 } from '@flotilla/node-kit';
import { agentAuthMessage, JobPayloadSchema, PROTOCOL_VERSION } from '@flotilla/protocol';
import type { JobPayload, RunEvent } from '@flotilla/protocol';

/** A run event without its timestamp (filled in when sent). */
export type ReportedEvent = RunEvent extends infer E ? (E extends unknown ? Omit<E, 'ts'> : never) : never;
import { startTestServer, listenForAgents } from '../helpers/server.js';
import type { TestServer } from '../helpers/server.js';
import { api } from '../helpers/api.js';
import { createEnrollmentToken, enrollAgent, TestChannel } from '../helpers/test-agent.js';
import type { TestAgentIdentity } from '../helpers/test-agent.js';
import { createTestDatabase } from '../helpers/databases.js';
import type { TestDatabase, TestDialect } from '../helpers/databases.js';
import type { ServerOptions, ServerParts } from '@flotilla/server';

/** A raw protocol agent of a fleet test: connects, receives offers, reports events with sequence numbers. */
export class FleetAgent {
  channel: TestChannel | undefined;
  /** Last event sequence number used. */
  seq = 0;

  constructor(
    readonly name: string,
    readonly identity: TestAgentIdentity,
    private readonly url: string,
  ) {}

  get id(): string {
    return this.identity.agentId;
  }

  /**
   * Handshake; `maxConcurrentRuns` and `protocolVersion` (an older agent's) go into `hello`.
   * Resumes `seq` from `welcome.lastEventSeq`.
   */
  async connect(options: { maxConcurrentRuns?: number; protocolVersion?: number } = {}): Promise<TestChannel> {
    const channel = await TestChannel.open(this.url);
    const challenge = await channel.next('challenge');
    const nonce = randomBytes(24).toString('base64url');
    const message = agentAuthMessage(challenge.nonce, this.id, challenge.serverKeyId);
    channel.send({
      type: 'hello',
      agentId: this.id,
      protocolVersion: options.protocolVersion ?? PROTOCOL_VERSION,
      agentVersion: '0.1.0-test',
      nonce,
      signature: signEd25519(this.identity.key.privateKey, message),
      ...(options.maxConcurrentRuns === undefined ? {} : { maxConcurrentRuns: options.maxConcurrentRuns }),
    });
    const welcome = await channel.next('welcome');
    this.seq = welcome.lastEventSeq;
    this.channel = channel;
    return channel;
  }

  async disconnect(): Promise<void> {
    const channel = this.channel;
    if (channel === undefined) return;
    this.channel = undefined;
    channel.close();
    await channel.closed;
  }

  /** The next offer's signed payload. */
  async offer(timeoutMs = 5000): Promise<JobPayload> {
    const frame = await this.channel!.next('job.offer', timeoutMs);
    return JobPayloadSchema.parse(JSON.parse(frame.envelope.payload));
  }

  /** Offers received so far (consumed or not). */
  offers(): JobPayload[] {
    return this.channel === undefined
      ? []
      : this.channel.all('job.offer').map((f) => JobPayloadSchema.parse(JSON.parse(f.envelope.payload)));
  }

  ack(runId: string): void {
    this.channel!.send({ type: 'job.ack', runId });
  }

  /** Sends events for a run as one `run.events` batch with fresh sequence numbers; returns the ack. */
  async report(runId: string, events: ReportedEvent[]): Promise<number> {
    const ts = new Date().toISOString();
    const items = events.map((event) => ({ seq: ++this.seq, runId, event: { ts, ...event } }));
    this.channel!.send({ type: 'run.events', items });
    return (await this.channel!.next('event.ack')).seq;
  }

  /** Acknowledges, runs and finishes a run with `state` (a whole run in two frames). */
  async finish(runId: string, state: 'succeeded' | 'failed', lines: string[] = []): Promise<void> {
    this.ack(runId);
    const logs: ReportedEvent[] = lines.map((line) => ({ kind: 'log', step: 'say', stream: 'stdout', line }));
    await this.report(runId, [
      { kind: 'run.started' },
      ...logs,
      { kind: 'run.finished', state, exitCode: state === 'succeeded' ? 0 : 1 },
    ]);
  }
}

export interface Fleet {
  t: TestServer;
  database: TestDatabase;
  url: string;
  client: ReturnType<typeof api>;
  /** Enrols (and optionally connects) an agent with these labels. */
  agent(
    name: string,
    labels?: Record<string, string>,
    options?: { connect?: boolean; maxConcurrentRuns?: number },
  ): Promise<FleetAgent>;
  close(): Promise<void>;
}

/** A listening test server on a fresh database of `dialect` (or `database`), and a factory of raw agents. */
export async function startFleet(
  dialect: TestDialect,
  options: { parts?: ServerParts; database?: TestDatabase; flags?: ServerOptions } = {},
): Promise<Fleet> {
  const database = options.database ?? (await createTestDatabase(dialect));
  const t = await startTestServer({ ...options.flags, databaseUrl: database.url }, options.parts);
  const url = await listenForAgents(t);
  const agents: FleetAgent[] = [];
  return {
    t,
    database,
    url,
    client: api(t.server, t.token),
    async agent(name, labels = {}, options = {}) {
      const identity = await enrollAgent(t.server, {
        token: await createEnrollmentToken(t.server, t.token),
        name,
        labels,
      });
      const agent = new FleetAgent(name, identity, url);
      agents.push(agent);
      if (options.connect !== false)
        await agent.connect(
          options.maxConcurrentRuns === undefined ? {} : { maxConcurrentRuns: options.maxConcurrentRuns },
        );
      return agent;
    },
    async close() {
      for (const agent of agents) await agent.disconnect();
      await t.close();
      // A database given by the caller is the caller's to drop.
      if (options.database === undefined) await database.cleanup();
    },
  };
}

/** Polls a job until `check` holds; returns the job. */
export async function waitForJob(
  fleet: Fleet,
  jobId: string,
  check: (job: any) => boolean,
  timeoutMs = 5000,
): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = (await fleet.client.get(`/jobs/${jobId}`)).body;
    if (check(job)) return job;
    if (Date.now() > deadline) throw new Error(`job ${jobId} did not reach the expected state: ${JSON.stringify(job)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
