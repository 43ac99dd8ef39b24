import type { ClusterBus } from '../../src/cluster/cluster-bus.js';
import { MemoryCluster } from '../../src/cluster/memory-cluster.js';
import { describeClusterBusContract } from './cluster-bus-contract.js';

describeClusterBusContract('in-memory', () => {
  const leaseMs = 150;
  const errors: unknown[] = [];
  const cluster = new MemoryCluster({ leaseMs, onError: (err) => errors.push(err) });
  const buses: ClusterBus[] = [];
  return Promise.resolve({
    leaseMs,
    errors,
    replica: () => {
      const bus = cluster.join();
      buses.push(bus);
      return Promise.resolve(bus);
    },
    crash: (bus: ClusterBus) => {
      cluster.crash(bus.replicaId);
      return Promise.resolve();
    },
    close: async () => {
      for (const bus of buses) await bus.close();
    },
  });
});
