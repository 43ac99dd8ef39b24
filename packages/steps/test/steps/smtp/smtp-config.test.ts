import { describe, expect, it } from 'vitest';
import { parseMailbox, SmtpConfigSchema } from '@flotilla/steps/catalogue';

const base = { host: 'mail.example.com', from: 'bot@example.com', to: 'ops@example.com' };

/** The issues of a config that must not parse, as `path: message` (a bad key's own message). */
function issues(config: Record<string, unknown>): string[] {
  const result = SmtpConfigSchema.safeParse(config);
  expect(result.success).toBe(false);
  return (result.error?.issues ?? []).map((issue) => {
    const message = issue.code === 'invalid_key' ? (issue.issues[0]?.message ?? issue.message) : issue.message;
    return `${issue.path.join('.')}: ${message}`;
  });
}

describe('smtp config', () => {
  it('fills defaults and reads a single recipient as a list', () => {
    expect(SmtpConfigSchema.parse(base)).toEqual({
      ...base,
      to: ['ops@example.com'],
      tls: false,
      insecure_skip_verify: false,
      subject: '',
      headers: {},
    });
  });

  it('reads addresses with and without display names', () => {
    expect(parseMailbox('ops@example.com')).toEqual({ name: '', address: 'ops@example.com' });
    expect(parseMailbox('Ops Team <ops@example.com>')).toEqual({ name: 'Ops Team', address: 'ops@example.com' });
    expect(parseMailbox('"Doe, Jane \\"JD\\"" <jane@example.com>')).toEqual({
      name: 'Doe, Jane "JD"',
      address: 'jane@example.com',
    });
    expect(parseMailbox('root@localhost')).toEqual({ name: '', address: 'root@localhost' });
    for (const bad of [
      'ops',
      'ops@',
      '@example.com',
      'a@b@c',
      'Ops <>',
      'Doe, Jane <jane@example.com>',
      'a@b.org\r\nBcc: x@y.org',
    ]) {
      expect(parseMailbox(bad), bad).toBeUndefined();
    }
  });

  it('refuses a missing or empty recipient list and bad addresses, naming the field', () => {
    expect(issues({ host: 'mail', from: 'bot@example.com' })).toEqual(['to: Invalid input']);
    expect(issues({ ...base, to: [] })).toEqual(['to: give at least one address']);
    expect(issues({ ...base, to: ['ops@example.com', 'nobody'], from: 'bot' })).toEqual([
      'from: "bot" is not an e-mail address (write ops@example.com or "Ops Team <ops@example.com>")',
      'to.1: "nobody" is not an e-mail address (write ops@example.com or "Ops Team <ops@example.com>")',
    ]);
    expect(issues({ ...base, cc: 'x', bcc: ['y@'], reply_to: 'z' }).map((i) => i.split(':')[0])).toEqual([
      'cc',
      'bcc.0',
      'reply_to',
    ]);
  });

  it('refuses what could inject header lines or commands', () => {
    expect(issues({ ...base, subject: 'hi\r\nBcc: all@example.com' })).toEqual([
      'subject: the subject is one line (no line breaks)',
    ]);
    expect(issues({ ...base, headers: { 'X-A': 'a\nB: b', 'Bad Name': 'v' } })).toEqual([
      'headers.X-A: a header value is one line (no line breaks)',
      'headers.Bad Name: a header name is printable ASCII without ":" or spaces',
    ]);
    expect(issues({ ...base, headers: { Subject: 'x', BCC: 'y@z.org', 'message-id': '<a@b>' } })).toEqual([
      'headers.Subject: the step writes Subject itself: set it with the subject field',
      'headers.BCC: the step writes BCC itself: set it with the bcc field',
      'headers.message-id: the step writes message-id itself',
    ]);
    expect(issues({ ...base, helo_name: 'client.example.com\r\nRSET' })).toHaveLength(1);
  });

  it('refuses contradictory TLS settings and a password that would go in clear', () => {
    expect(issues({ ...base, tls: true, starttls: 'required' })).toEqual([
      'starttls: with tls: true the connection is encrypted from the start; starttls applies to plain connections',
    ]);
    expect(issues({ ...base, starttls: 'off', auth: { user: 'u', password: 'p' } })).toEqual([
      'auth: the password would cross the network in clear: use tls: true or STARTTLS (not starttls: off)',
    ]);
    expect(SmtpConfigSchema.safeParse({ ...base, tls: true, auth: { user: 'u', password: 'p' } }).success).toBe(true);
    expect(issues({ ...base, ca: 'not a certificate' })).toEqual([
      'ca: expected a PEM certificate (-----BEGIN CERTIFICATE----- …)',
    ]);
    expect(
      issues({ ...base, starttls: 'maybe', port: 70_000, connect_timeout: 'soon' }).map((i) => i.split(':')[0]),
    ).toEqual(['port', 'starttls', 'connect_timeout']);
  });
});
