import { lookup } from 'node:dns';
import type { LookupAddress, LookupOptions } from 'node:dns';
import type { DestinationGuard } from './destination-guard.js';

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for sockets (`net.connect({ lookup })`) that resolves the name and checks every
 * address against the guard before the socket connects. The check and the connection use the
 * same answer, so a name that resolves differently the second time (DNS rebinding) cannot slip
 * past it. A refused address fails the connection with the guard's `POLICY_DENIED` StepError.
 */
export function guardedLookup(
  guard: DestinationGuard,
): (hostname: string, options: LookupOptions, callback: LookupCallback) => void {
  return (hostname, options, callback) => {
    lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err !== null) {
        callback(err, '', 0);
        return;
      }
      try {
        for (const { address } of addresses) guard.checkAddress(hostname, address);
      } catch (refused) {
        callback(refused as NodeJS.ErrnoException, '', 0);
        return;
      }
      const first = addresses[0];
      if (options.all === true) callback(null, addresses);
      else if (first === undefined)
        callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), '', 0);
      else callback(null, first.address, first.family);
    });
  };
}
