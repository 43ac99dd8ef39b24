/** Replaces secret values with `***` in text and in (JSON-safe copies of) values. */
export interface SecretMasker {
  text(line: string): string;
  /** A JSON-safe deep copy with every string masked (bigints as text, cycles cut). */
  value(value: unknown): unknown;
}

export const MASK = '***';

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Builds one matcher for all secret values of a run, so masking a line is a single regex
 * pass however many secrets there are. Longer values come first so a secret that contains
 * another is masked whole.
 */
export function createSecretMasker(secrets: Iterable<string>): SecretMasker {
  const values = [...new Set(secrets)].filter((v) => v.length > 0).sort((a, b) => b.length - a.length);
  const pattern = values.length === 0 ? undefined : new RegExp(values.map(escapeRegExp).join('|'), 'g');
  const text = pattern === undefined ? (line: string) => line : (line: string) => line.replace(pattern, MASK);

  function copy(value: unknown, seen: Set<object>): unknown {
    switch (typeof value) {
      case 'string':
        return text(value);
      case 'number':
        return Number.isFinite(value) ? value : null;
      case 'boolean':
        return value;
      case 'bigint':
        return value.toString();
      case 'object': {
        if (value === null) return null;
        if (seen.has(value)) return '[Circular]';
        const toJSON = (value as { toJSON?: unknown }).toJSON;
        if (typeof toJSON === 'function') return copy((toJSON as () => unknown).call(value), seen);
        seen.add(value);
        try {
          if (Array.isArray(value)) return value.map((item) => copy(item, seen) ?? null);
          const out: Record<string, unknown> = {};
          for (const [key, item] of Object.entries(value)) {
            const masked = copy(item, seen);
            if (masked !== undefined) out[text(key)] = masked;
          }
          return out;
        } finally {
          seen.delete(value);
        }
      }
      case 'function':
      case 'symbol':
      case 'undefined':
        // no JSON form
        return undefined;
    }
  }

  return { text, value: (value) => copy(value, new Set()) };
}
