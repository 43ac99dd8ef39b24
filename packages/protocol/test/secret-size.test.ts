import { describe, expect, it } from 'vitest';
import { SECRET_VALUE_MAX_BYTES, SetSecretRequestSchema } from '@flotilla/protocol';

// The limit is counted in UTF-8 without TextEncoder (protocol compiles without web or Node types):
// it must count exactly what TextEncoder writes.
const bytes = (text: string): number => new TextEncoder().encode(text).length;
const accepts = (value: string): boolean => SetSecretRequestSchema.safeParse({ name: 'S', value }).success;

describe('secret values are limited in bytes of UTF-8', () => {
  for (const [what, char] of [
    ['ASCII', 'a'],
    ['two-byte', 'é'],
    ['three-byte', '€'],
    ['four-byte', '😀'],
    ['lone surrogate (written as U+FFFD)', '\uD800'],
  ] as const) {
    it(`counts ${what} characters as TextEncoder does`, () => {
      const fits = char.repeat(Math.floor(SECRET_VALUE_MAX_BYTES / bytes(char)));
      expect(bytes(fits)).toBeLessThanOrEqual(SECRET_VALUE_MAX_BYTES);
      expect(accepts(fits)).toBe(true);
      const over = fits + char.repeat(Math.ceil((SECRET_VALUE_MAX_BYTES - bytes(fits) + 1) / bytes(char)));
      expect(bytes(over)).toBeGreaterThan(SECRET_VALUE_MAX_BYTES);
      expect(accepts(over)).toBe(false);
    });
  }
});
