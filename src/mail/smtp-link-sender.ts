/**
 * Account links by e-mail over SMTP (nodemailer): the production `AccountLinkSender`. Configured
 * with `HERON_SMTP_URL` (e.g. `smtps://user:password@mail.example.org:465`, or `smtp://…:587`,
 * upgraded with STARTTLS when the server offers it) and `HERON_MAIL_FROM`.
 */
import nodemailer from 'nodemailer';
import type { AccountLinkMessage, AccountLinkSender } from '../domain/users/link-sender.ts';

export interface SmtpOptions {
  url: string;
  from: string;
  /** The practice's name for the greeting, when known. */
  practiceName?: (tenant: string) => Promise<string | undefined>;
}

export function smtpLinkSender(o: SmtpOptions): AccountLinkSender {
  const transport = nodemailer.createTransport(o.url);
  return {
    delivers: true,
    async send(m) {
      const practice = (await o.practiceName?.(m.tenant)) ?? 'your practice';
      await transport.sendMail({ from: o.from, to: m.email, ...linkMessage(m, practice) });
    },
  };
}

/** Subject and plain text of the message; no HTML, so the link is exactly what the person sees. */
export function linkMessage(m: AccountLinkMessage, practice: string): { subject: string; text: string } {
  const until = new Date(m.expiresAt).toUTCString();
  if (m.purpose === 'invite') {
    return {
      subject: `Your account at ${practice}`,
      text: `You have been invited to ${practice}'s electronic health record.\n\nSet your password at this link (it works once, until ${until}):\n\n${m.link}\n\nIf you did not expect this, ignore this message.\n`,
    };
  }
  return {
    subject: `Reset your password at ${practice}`,
    text: `Someone asked to reset the password of this account at ${practice}.\n\nSet a new password at this link (it works once, until ${until}):\n\n${m.link}\n\nIf it was not you, ignore this message; your password stays as it is.\n`,
  };
}
