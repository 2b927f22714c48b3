/**
 * How one-time account links (invitation, password reset) reach people: by e-mail over SMTP
 * (`mail/smtp-link-sender.ts`, configured with `HERON_SMTP_URL`), or any other sender a
 * deployment plugs in. The development sender writes the link to the server log, which is fine
 * on a developer's machine and wrong anywhere else: whoever reads the log can use the link. So a
 * server with no mail configured (and not in demo mode) uses the unsent sender: it logs that a
 * link could not be delivered, never the link.
 */
export interface AccountLinkMessage {
  tenant: string;
  email: string;
  purpose: 'invite' | 'reset';
  link: string;
  /** Epoch ms. */
  expiresAt: number;
}

export interface AccountLinkSender {
  send(message: AccountLinkMessage): Promise<void>;
  /** Whether a sent link reaches the person (e-mail); the development and unsent senders only log. */
  delivers?: boolean;
}

/** Development: logs the link. */
export function loggingLinkSender(log: (obj: object, msg: string) => void): AccountLinkSender {
  return {
    send: async (m) => log({ accountLink: { tenant: m.tenant, email: m.email, purpose: m.purpose, link: m.link, expiresAt: new Date(m.expiresAt).toISOString() } }, 'account link (development sender)'),
  };
}

/** No mail configured outside development: says a link was not delivered, without the link. */
export function unsentLinkSender(log: (obj: object, msg: string) => void): AccountLinkSender {
  return {
    send: async (m) =>
      log({ accountLink: { tenant: m.tenant, email: m.email, purpose: m.purpose } }, 'account link not sent: no mail sender is configured (HERON_SMTP_URL); an administrator can issue a new link with heron user invite or the admin API'),
  };
}
