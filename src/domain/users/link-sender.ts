/**
 * How one-time account links (invitation, password reset) reach people. Heron has no mail
 * server of its own: a deployment plugs in a sender (SMTP, a mail API). The development sender
 * writes the link to the server log, which is fine on a developer's machine and wrong anywhere
 * else: whoever reads the log can use the link.
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
}

/** Development: logs the link. */
export function loggingLinkSender(log: (obj: object, msg: string) => void): AccountLinkSender {
  return {
    send: async (m) => log({ accountLink: { tenant: m.tenant, email: m.email, purpose: m.purpose, link: m.link, expiresAt: new Date(m.expiresAt).toISOString() } }, 'account link (development sender)'),
  };
}
