import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loggingLinkSender, unsentLinkSender } from '../domain/users/link-sender.ts';
import { smtpLinkSender } from './smtp-link-sender.ts';

describe('account links by e-mail', () => {
  const received: { from: string; to: string[]; data: string }[] = [];
  let server: SMTPServer;
  let port: number;

  beforeAll(async () => {
    server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onData(stream, session, callback) {
        let data = '';
        stream.on('data', (chunk: Buffer) => (data += chunk.toString('utf8')));
        stream.on('end', () => {
          received.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address), data });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.server.address() as AddressInfo).port;
  });
  afterAll(async () => new Promise<void>((resolve) => server.close(() => resolve())));

  it('sends an invitation to the person over SMTP, with the link as plain text', async () => {
    const sender = smtpLinkSender({ url: `smtp://127.0.0.1:${port}`, from: 'Riverside EHR <ehr@riverside.example>', practiceName: async () => 'Riverside Family Practice' });
    const link = 'https://ehr.example/auth/set-password?token=abc123-one-time';
    await sender.send({ tenant: 't1', email: 'ann@example.org', purpose: 'invite', link, expiresAt: Date.UTC(2027, 0, 1) });
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ from: 'ehr@riverside.example', to: ['ann@example.org'] });
    expect(received[0]!.data).toMatch(/^Subject: Your account at Riverside Family Practice/m);
    // The body is quoted-printable: undo soft line breaks and =XX escapes.
    const body = received[0]!.data.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    expect(body).toContain(link);
  });

  it('a failed delivery is an error the caller sees, not silence', async () => {
    const sender = smtpLinkSender({ url: 'smtp://127.0.0.1:1', from: 'ehr@riverside.example' });
    await expect(sender.send({ tenant: 't1', email: 'ann@example.org', purpose: 'reset', link: 'https://x/y', expiresAt: Date.now() })).rejects.toThrow();
  });

  it('without mail, a server logs that a link was not sent — never the link; only the development sender logs it', async () => {
    const lines: string[] = [];
    const log = (obj: object, msg: string) => void lines.push(JSON.stringify(obj) + msg);
    const message = { tenant: 't1', email: 'ann@example.org', purpose: 'reset' as const, link: 'https://x/set?token=SECRET', expiresAt: Date.now() };
    await unsentLinkSender(log).send(message);
    expect(lines.join('')).not.toContain('SECRET');
    expect(lines.join('')).toMatch(/not sent/);
    await loggingLinkSender(log).send(message);
    expect(lines.at(-1)).toContain('SECRET');
  });
});
