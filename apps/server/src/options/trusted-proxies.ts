import { isIP } from 'node:net';
import { z } from 'zod';

/** Names Fastify's `trustProxy` (proxy-addr) accepts for well-known ranges. */
const NAMED_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** An IP address, a CIDR block (`10.0.0.0/8`, `fd00::/8`) or one of the named ranges. */
function isProxyEntry(entry: string): boolean {
  if (NAMED_RANGES.has(entry)) return true;
  const slash = entry.indexOf('/');
  if (slash < 0) return isIP(entry) !== 0;
  const family = isIP(entry.slice(0, slash));
  const bits = entry.slice(slash + 1);
  if (family === 0 || !/^\d{1,3}$/.test(bits)) return false;
  return Number(bits) <= (family === 4 ? 32 : 128);
}

/**
 * `trustedProxies`: a list, or comma-separated text (environment variables are text). Checked
 * here so a typo is a `CONFIG_INVALID` listing the entry, not a crash inside Fastify at start.
 */
export const TrustedProxiesSchema = z.union([z.string(), z.array(z.string())]).transform((value, ctx) => {
  const entries = (Array.isArray(value) ? value : [value])
    .flatMap((item) => item.split(','))
    .map((item) => item.trim())
    .filter((item) => item !== '');
  for (const entry of entries) {
    if (!isProxyEntry(entry)) {
      ctx.addIssue({
        code: 'custom',
        message: `"${entry}" is not an IP address, a CIDR block (10.0.0.0/8) or loopback|linklocal|uniquelocal`,
      });
    }
  }
  return entries;
});
