import { isIP } from 'node:net';
import { z } from 'zod';

/** One entry of `http_destinations.allow` / `deny`, parsed. */
export type DestinationRule =
  | { readonly kind: 'host'; readonly name: string; readonly wildcard: boolean }
  | { readonly kind: 'network'; readonly address: string; readonly prefix: number; readonly family: 'ipv4' | 'ipv6' };

const LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
const HOST_NAME = new RegExp(`^(\\*\\.)?${LABEL}(?:\\.${LABEL})*$`);

/** Lower case, without IPv6 brackets or the trailing dot of a fully qualified name. */
export function normalizeHost(host: string): string {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  return bare.toLowerCase().replace(/\.$/, '');
}

/**
 * Parses a destination: a host name (`api.example.com`; `*.example.com` for every name below
 * it), an IP address, or a CIDR range (`10.0.0.0/8`, `fd00::/8`). `undefined` when it is none.
 */
export function parseDestinationRule(entry: string): DestinationRule | undefined {
  const text = normalizeHost(entry.trim());
  const slash = text.indexOf('/');
  const address = slash === -1 ? text : text.slice(0, slash);
  const version = isIP(address);
  if (version !== 0) {
    const max = version === 4 ? 32 : 128;
    const prefixText = slash === -1 ? String(max) : text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > max) return undefined;
    return { kind: 'network', address, prefix: Number(prefixText), family: version === 4 ? 'ipv4' : 'ipv6' };
  }
  if (slash !== -1 || !HOST_NAME.test(text)) return undefined;
  const wildcard = text.startsWith('*.');
  return { kind: 'host', name: wildcard ? text.slice(2) : text, wildcard };
}

/** A destination entry as the agent policy file accepts it. */
export const DestinationEntrySchema = z
  .string()
  .refine(
    (entry) => parseDestinationRule(entry) !== undefined,
    'a host name (api.example.com, *.example.com), an IP address or a CIDR range (10.0.0.0/8)',
  );
