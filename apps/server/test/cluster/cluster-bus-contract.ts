import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ClusterBus } from '../../src/cluster/cluster-bus.js';
import { AgentCommandSchema, ClusterEventSchema } from '../../src/cluster/cluster-messages.js';
import type { AgentCommand, ClusterEvent } from '../../src/cluster/cluster-messages.js';
import { eventually } from '../helpers/api.js';

/** A cluster implementation under test: how to add replicas to one cluster, and to kill one. */
export interface ClusterUnderTest {
  /** Joins a new replica to the cluster. */
  replica(): Promise<ClusterBus>;
  /** Kills a replica as `kill -9` would: no heartbeat, nothing delivered; its claims expire after the lease. */
  crash(bus: ClusterBus): Promise<void>;
  /** The lease the cluster was made with (short: tests wait past it). */
  readonly leaseMs: number;
  /** What subscribers and handlers threw (reported, never breaking the bus). */
  readonly errors: unknown[];
  close(): Promise<void>;
}

/** The largest payload PostgreSQL's `NOTIFY` takes; events must fit (commands may be split). */
const NOTIFY_PAYLOAD_BYTES = 7999;

const runChanged = (n: number): ClusterEvent => ({
  type: 'run.changed',
  tenantId: 'ten_1',
  projectId: 'prj_1',
  jobId: `job_${n}`,
  runId: `run_${n}`,
  agentId: 'agt_1',
  jobState: 'running',
  runState: 'running',
});

/** A handler that records what it gets. */
function recorder<T>(): { seen: T[]; handler: (value: T) => void } {
  const seen: T[] = [];
  return { seen, handler: (value) => void seen.push(value) };
}

/**
 * The contract every `ClusterBus` keeps (see `cluster-bus.ts`). The in-memory bus runs it now;
 * the PostgreSQL bus of the scale-out issue runs the same suite with its own `ClusterUnderTest`.
 */
export function describeClusterBusContract(name: string, make: () => Promise<ClusterUnderTest>): void {
  describe(`cluster bus contract: ${name}`, () => {
    let cluster: ClusterUnderTest;
    beforeEach(async () => {
      cluster = await make();
    });
    afterEach(async () => {
      await cluster.close();
    });

    it('delivers events to every replica, the publisher too, after publish and in publish order', async () => {
      const [a, b] = [await cluster.replica(), await cluster.replica()];
      const [onA, onB] = [recorder<ClusterEvent>(), recorder<ClusterEvent>()];
      a.events.subscribe('run.changed', onA.handler);
      b.events.subscribe('run.changed', onB.handler);
      const logs = recorder<ClusterEvent>();
      b.events.subscribe('job.logs', logs.handler);
      // Never inside publish: a publisher holding state it is about to change is never re-entered.
      const first = a.events.publish(runChanged(1));
      expect(onA.seen).toEqual([]);
      await first;
      for (let n = 2; n <= 20; n++) await a.events.publish(runChanged(n));
      await eventually(() => onA.seen.length === 20 && onB.seen.length === 20);
      expect(onB.seen.map((e) => (e as { jobId: string }).jobId)).toEqual(
        Array.from({ length: 20 }, (_, i) => `job_${i + 1}`),
      );
      expect(logs.seen).toEqual([]);
    });

    it('stops delivering to a subscription that ended and to a replica that left', async () => {
      const [a, b] = [await cluster.replica(), await cluster.replica()];
      const [onA, onB] = [recorder<ClusterEvent>(), recorder<ClusterEvent>()];
      const stop = a.events.subscribe('run.changed', onA.handler);
      b.events.subscribe('run.changed', onB.handler);
      stop();
      stop();
      await b.close();
      await a.events.publish(runChanged(1));
      const c = await cluster.replica();
      const onC = recorder<ClusterEvent>();
      c.events.subscribe('run.changed', onC.handler);
      await a.events.publish(runChanged(2));
      await eventually(() => onC.seen.length === 1);
      expect([onA.seen, onB.seen]).toEqual([[], []]);
    });

    it('keeps delivering to other subscribers when one throws, and reports it', async () => {
      const a = await cluster.replica();
      const good = recorder<ClusterEvent>();
      a.events.subscribe('run.changed', () => {
        throw new Error('subscriber failed');
      });
      a.events.subscribe('run.changed', good.handler);
      await a.events.publish(runChanged(1));
      await eventually(() => good.seen.length === 1);
      expect(cluster.errors.map((e) => (e as Error).message)).toEqual(['subscriber failed']);
    });

    it('takes messages that survive a trip through JSON and fit a notification', () => {
      const id = 'x'.repeat(200);
      const events: ClusterEvent[] = [
        {
          type: 'run.changed',
          tenantId: id,
          projectId: id,
          jobId: id,
          runId: id,
          agentId: id,
          jobState: 'interrupted',
          runState: 'timed_out',
        },
        {
          type: 'job.logs',
          tenantId: id,
          projectId: id,
          jobId: id,
          runId: id,
          fromSeq: 2 ** 31 - 1,
          toSeq: 2 ** 31 - 1,
        },
        { type: 'job.created', tenantId: id, projectId: id, jobId: id },
        { type: 'agent.changed', tenantId: id, projectId: id, agentId: id, change: 'enrolled' },
        { type: 'agent.pending', tenantId: id, projectId: id, agentId: id, name: id, keyChange: true },
        { type: 'rollout.changed', tenantId: id, projectId: id, jobId: id, activeBatch: 2 ** 31 - 1 },
      ];
      for (const event of events) {
        const wire = JSON.stringify(event);
        expect(Buffer.byteLength(wire), event.type).toBeLessThanOrEqual(NOTIFY_PAYLOAD_BYTES);
        expect(ClusterEventSchema.parse(JSON.parse(wire))).toEqual(event);
      }
      const refuse: AgentCommand = {
        type: 'refuse',
        agentIds: Array.from({ length: 20 }, () => id),
        code: 'AGENT_REVOKED',
        message: 'm'.repeat(1000),
      };
      expect(Buffer.byteLength(JSON.stringify(refuse))).toBeLessThanOrEqual(NOTIFY_PAYLOAD_BYTES);
      expect(AgentCommandSchema.parse(JSON.parse(JSON.stringify(refuse)))).toEqual(refuse);
    });

    it('knows which replica holds an agent; a newer claim wins and tells the previous holder', async () => {
      const [a, b] = [await cluster.replica(), await cluster.replica()];
      const toA = recorder<AgentCommand>();
      a.commands.onCommand((command) => {
        toA.handler(command);
        return Promise.resolve();
      });
      const first = await a.presence.claim('agt_1');
      expect(await b.presence.holders(['agt_1', 'agt_2'])).toEqual(new Map([['agt_1', a.replicaId]]));
      const second = await b.presence.claim('agt_1');
      expect(await a.presence.holders(['agt_1'])).toEqual(new Map([['agt_1', b.replicaId]]));
      await eventually(() => toA.seen.length === 1);
      expect(toA.seen).toEqual([{ type: 'replaced', agentIds: ['agt_1'] }]);
      // The old connection's release comes late: it must not undo the newer claim.
      await a.presence.release(first);
      expect(await a.presence.holders(['agt_1'])).toEqual(new Map([['agt_1', b.replicaId]]));
      await b.presence.release(second);
      expect(await a.presence.holders(['agt_1'])).toEqual(new Map());
      // A reconnect to the same replica replaces nothing elsewhere.
      const again = await b.presence.claim('agt_1');
      await b.presence.claim('agt_1');
      await b.presence.release(again);
      expect(await a.presence.holders(['agt_1'])).toEqual(new Map([['agt_1', b.replicaId]]));
      expect(toA.seen).toHaveLength(1);
    });

    it('routes each part of a command to the replica holding its agents, and awaits its own part', async () => {
      const [a, b] = [await cluster.replica(), await cluster.replica()];
      const [toA, toB] = [recorder<AgentCommand>(), recorder<AgentCommand>()];
      let ownDone = false;
      a.commands.onCommand(async (command) => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        toA.handler(command);
        ownDone = true;
      });
      b.commands.onCommand((command) => {
        toB.handler(command);
        return Promise.resolve();
      });
      await a.presence.claim('agt_a');
      await b.presence.claim('agt_b');
      await a.commands.send({ type: 'offer', agentIds: ['agt_a', 'agt_b', 'agt_nobody'] });
      expect(ownDone).toBe(true);
      expect(toA.seen).toEqual([{ type: 'offer', agentIds: ['agt_a'] }]);
      await eventually(() => toB.seen.length === 1);
      expect(toB.seen).toEqual([{ type: 'offer', agentIds: ['agt_b'] }]);
      await b.commands.send({
        type: 'cancel',
        runs: [
          { runId: 'run_1', agentId: 'agt_a' },
          { runId: 'run_2', agentId: 'agt_b' },
        ],
      });
      expect(toB.seen[1]).toEqual({ type: 'cancel', runs: [{ runId: 'run_2', agentId: 'agt_b' }] });
      await eventually(() => toA.seen.length === 2);
      expect(toA.seen[1]).toEqual({ type: 'cancel', runs: [{ runId: 'run_1', agentId: 'agt_a' }] });
      await a.commands.send({ type: 'offer', agentIds: ['agt_nobody'] });
      expect(toA.seen).toHaveLength(2);
    });

    it('gives up a replica that left at once, and a crashed one when its lease expires, telling one survivor', async () => {
      const [a, b, c] = [await cluster.replica(), await cluster.replica(), await cluster.replica()];
      const [expiredB, expiredC] = [recorder<string[]>(), recorder<string[]>()];
      b.presence.onExpired(expiredB.handler);
      c.presence.onExpired(expiredC.handler);
      await a.presence.claim('agt_left');
      await a.close();
      expect(await b.presence.holders(['agt_left'])).toEqual(new Map());

      const d = await cluster.replica();
      await d.presence.claim('agt_1');
      await d.presence.claim('agt_2');
      const crashedAt = Date.now();
      await cluster.crash(d);
      // Until the lease runs out, a silent replica may only be slow: its agents stay its own.
      expect((await b.presence.holders(['agt_1', 'agt_2'])).size).toBe(2);
      await eventually(() => expiredB.seen.length + expiredC.seen.length > 0, cluster.leaseMs * 10);
      // The lease counts from the replica's last heartbeat, which may come up to a renewal period
      // (a third of the lease, or less) before the crash.
      expect(Date.now() - crashedAt).toBeGreaterThanOrEqual(cluster.leaseMs / 2);
      expect(await b.presence.holders(['agt_1', 'agt_2'])).toEqual(new Map());
      await new Promise((resolve) => setTimeout(resolve, cluster.leaseMs));
      expect([...expiredB.seen, ...expiredC.seen].map((ids) => [...ids].sort())).toEqual([['agt_1', 'agt_2']]);
    });

    it('runs tasks of one lock key one at a time across replicas, other keys alongside', async () => {
      const [a, b] = [await cluster.replica(), await cluster.replica()];
      const log: string[] = [];
      const task = (who: string, ms: number) => async () => {
        log.push(`${who}+`);
        await new Promise((resolve) => setTimeout(resolve, ms));
        log.push(`${who}-`);
        return who;
      };
      const runs = [
        a.locks.run('k', task('a1', 30)),
        b.locks.run('k', task('b1', 5)),
        a.locks.run('k', () => {
          log.push('a2!');
          return Promise.reject(new Error('task failed'));
        }),
        b.locks.run('other', task('o', 1)),
      ];
      const outcomes = await Promise.allSettled(runs);
      expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
      const onKey = log.filter((entry) => !entry.startsWith('o'));
      // Never two holders at once: every start is followed by its own end.
      for (let i = 0; i < onKey.length; i++)
        if (onKey[i]!.endsWith('+')) expect(onKey[i + 1]).toBe(onKey[i]!.replace('+', '-'));
      expect(log.indexOf('o-')).toBeLessThan(log.indexOf('a1-'));
      expect(await a.locks.run('k', () => Promise.resolve('after'))).toBe('after');
    });
  });
}
