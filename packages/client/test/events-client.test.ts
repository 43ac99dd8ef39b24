import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FlotillaClient, isFlotillaClientError } from '@flotilla/client';
import { isFlotillaError } from '@flotilla/protocol';
import type { EventStreamReady, UiEvent } from '@flotilla/protocol';
import { testAgents } from '../../../test/e2e/helpers/agents.js';
import { ADMIN_PASSWORD, controlPlanes, type ControlPlane } from '../../../test/e2e/helpers/control-plane.js';
import { agentStatus, ECHO_HI, finishedJob, submitJob } from '../../../test/e2e/helpers/jobs.js';
import { eventually } from '../../../test/e2e/helpers/rest.js';

/*
 * The client's UI event stream against a real control plane and a real (in-process) agent: every
 * event of this server is the admin's, so the ids a follower gets must be exactly 1, 2, 3… of
 * the server's ring, whatever drops in between.
 */

const planes = controlPlanes();
const agents = testAgents();
let cp: ControlPlane;
let client: FlotillaClient;

const position = (id: string) => Number(id.split('.')[1]);

beforeAll(async () => {
  cp = await planes.start();
  const token = await cp.enrollmentToken();
  const agent = await agents.start({ serverUrl: cp.url, token, dataDir: await agents.dataDir(), name: 'events-1' });
  await agentStatus(cp.api, agent.agentId, 'online');
  client = new FlotillaClient({ baseUrl: cp.url });
  await client.login('admin', ADMIN_PASSWORD);
});
afterAll(async () => {
  await agents.cleanup();
  await planes.cleanup();
});

describe('FlotillaClient UI events (real server, real agent)', () => {
  it('streamEvents opens with ready, delivers typed events of the asked types, and stops on abort', async () => {
    const abort = new AbortController();
    const opened: (EventStreamReady & { id: string })[] = [];
    const events: UiEvent[] = [];
    const streaming = client.streamEvents({
      types: ['job.created', 'run.changed'],
      signal: abort.signal,
      onOpen: (ready) => opened.push(ready),
      onEvent: (event) => events.push(event),
    });
    await eventually(() => opened.length === 1, 5000, 'ready');
    expect(opened[0]).toMatchObject({ resumed: false, id: expect.stringMatching(/^[0-9a-f]+\.\d+$/) });
    const job = await submitJob(cp.api, ECHO_HI, 'events-1');
    await eventually(
      () => events.some((e) => e.type === 'run.changed' && e.jobId === job && e.runState === 'succeeded'),
      10_000,
      'the run’s end',
    );
    expect(events[0]).toEqual({ type: 'job.created', jobId: job });
    expect(events.every((e) => e.type === 'job.created' || e.type === 'run.changed')).toBe(true);
    abort.abort(new Error('done'));
    await expect(streaming).rejects.toThrow('done');
  });

  it('followEvents survives a dropped connection: every event once, in order, ids contiguous', async () => {
    // The follower reaches the server through a relay the test can cut, as a proxy restart would.
    const relay = await startRelay(cp.port);
    const viaRelay = new FlotillaClient({ baseUrl: relay.url, token: client.token });
    const abort = new AbortController();
    const got: { event: UiEvent; id: string }[] = [];
    const opened: (EventStreamReady & { id: string })[] = [];
    const drops: unknown[] = [];
    const following = viaRelay.followEvents({
      signal: abort.signal,
      minDelayMs: 300,
      onOpen: (ready) => opened.push(ready),
      onEvent: (event, id) => got.push({ event, id }),
      onDisconnect: (err) => drops.push(err),
    });
    const ended = (job: string) => () =>
      got.some((g) => g.event.type === 'run.changed' && g.event.jobId === job && TERMINAL.has(g.event.runState));
    await eventually(() => opened.length === 1, 5000, 'ready');
    const before = await submitJob(cp.api, ECHO_HI, 'events-1');
    await eventually(ended(before), 10_000, 'the first job');

    relay.cut();
    const during = await submitJob(cp.api, ECHO_HI, 'events-1');
    await finishedJob(cp.api, during);
    await eventually(() => opened.length === 2, 10_000, 'the reconnect');
    expect(opened[1]).toMatchObject({ resumed: true });
    await eventually(ended(during), 10_000, 'the job run while disconnected');
    const after = await submitJob(cp.api, ECHO_HI, 'events-1');
    await eventually(ended(after), 10_000, 'the job after the reconnect');
    abort.abort();
    await following;
    await relay.close();

    expect(drops.length).toBeGreaterThanOrEqual(1);
    const ns = got.map((g) => position(g.id));
    expect(ns).toEqual(ns.map((_, i) => ns[0]! + i));
    const jobsCreated = got
      .filter((g) => g.event.type === 'job.created')
      .map((g) => (g.event as { jobId: string }).jobId);
    expect(jobsCreated).toEqual([before, during, after]);
  });

  it('followEvents gives up with the server’s error when the session ends', async () => {
    const other = new FlotillaClient({ baseUrl: cp.url });
    await other.login('admin', ADMIN_PASSWORD);
    let open = false;
    // Its outcome is taken at once: it may reject while the logout is still answering.
    const outcome = other.followEvents({ onOpen: () => (open = true), onEvent: () => undefined }).then(
      () => undefined,
      (e: unknown) => e,
    );
    await eventually(() => open, 5000, 'ready');
    await other.api.auth.logout();
    const err = await outcome;
    expect(isFlotillaError(err) && err.code).toBe('UNAUTHENTICATED');
  });

  it('streamEvents without a credential is refused with UNAUTHENTICATED', async () => {
    const anonymous = new FlotillaClient({ baseUrl: cp.url });
    const err: unknown = await anonymous.streamEvents({ onEvent: () => undefined }).catch((e: unknown) => e);
    expect(isFlotillaError(err) && err.code).toBe('UNAUTHENTICATED');
  });

  it('followEvents keeps retrying, with backoff, while the server cannot be reached, until aborted', async () => {
    const gone = await planes.start();
    await gone.close();
    const lost = new FlotillaClient({ baseUrl: gone.url, token: 'unused' });
    const abort = new AbortController();
    const drops: unknown[] = [];
    const following = lost.followEvents({
      signal: abort.signal,
      minDelayMs: 10,
      maxDelayMs: 40,
      onEvent: () => undefined,
      onDisconnect: (err) => drops.push(err),
    });
    await eventually(() => drops.length >= 4, 5000, 'retries');
    abort.abort();
    await following;
    expect(drops.every((err) => isFlotillaClientError(err) && err.kind === 'unreachable')).toBe(true);
  });
});

/** A TCP relay to the server whose open connections the test can cut at once. */
async function startRelay(port: number): Promise<{ url: string; cut(): void; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((inbound) => {
    const outbound = net.connect(port, '127.0.0.1');
    for (const socket of [inbound, outbound]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    inbound.pipe(outbound).pipe(inbound);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as net.AddressInfo;
  const cut = () => {
    for (const socket of sockets) socket.destroy();
  };
  return {
    url: `http://127.0.0.1:${address.port}`,
    cut,
    close: () => {
      cut();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

const TERMINAL = new Set(['succeeded', 'failed', 'cancelled', 'timed_out', 'interrupted', 'expired']);
