import { z } from 'zod';

/** An HTTP token (RFC 9110): what a header name may be made of. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * What `fetch` refuses in a header value: NUL, CR or LF, or a character above U+00FF (values
 * are bytes). A refused header fails at run time before anything is sent, so the schema says it.
 */
function headerValueProblem(value: string): string | undefined {
  if (/[\0\r\n]/.test(value)) return 'a header value cannot contain a line break or NUL';
  // eslint-disable-next-line no-control-regex -- the check is about code units, control characters included
  if (/[^\u0000-\u00ff]/.test(value)) return 'a header value holds bytes: characters up to U+00FF only (encode others)';
  return undefined;
}

/** Request headers by name, checked as `fetch` would check them. */
export const HeadersSchema = z.record(z.string(), z.string()).superRefine((headers, ctx) => {
  for (const [name, value] of Object.entries(headers)) {
    if (!HEADER_NAME.test(name)) {
      ctx.addIssue({ code: 'custom', path: [name], message: `"${name}" is not a valid header name` });
      continue;
    }
    const problem = headerValueProblem(value);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', path: [name], message: problem });
  }
});
