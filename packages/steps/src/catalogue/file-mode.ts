import { z } from 'zod';

/**
 * A permission mode as people write it: `"0755"`, `"755"`, or a number whose digits are the
 * octal digits (`755`). YAML 1.2 reads an unquoted `0755` as the decimal 755, so numbers are
 * taken digit by digit rather than as their value; digits 8 and 9 are rejected.
 */
export const FileModeSchema = z
  .union([z.string(), z.number().int().nonnegative()])
  .transform((value, ctx) => {
    const text = String(value);
    if (!/^0?[0-7]{3,4}$/.test(text)) {
      ctx.addIssue({ code: 'custom', message: `"${text}" is not an octal file mode such as "0644" or "0755"` });
      return z.NEVER;
    }
    return parseInt(text, 8);
  })
  .describe('Permission bits as octal text, e.g. "0644" or "0755".');
