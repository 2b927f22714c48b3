/**
 * The text messages of Heron's websocket channel (R4's `bind`/`ping`, plus how a client
 * authenticates; docs/subscriptions.md):
 *
 * client → server: `bearer <access token>` (first; again whenever the token is refreshed),
 *                  `bind <Subscription id>`, `unbind <Subscription id>`
 * server → client: `authenticated`, `bound <id>`, `unbound <id>`, `ping <id>`,
 *                  `error <HTTP status> <text>`
 *
 * The token travels in a message, not in the URL (URLs are logged by proxies and servers) and
 * not in a header (a browser cannot set headers on a websocket).
 * @see https://hl7.org/fhir/R4/subscription.html#2.46.7.2
 */

export type ClientMessage =
  | { kind: 'bearer'; token: string }
  | { kind: 'bind'; id: string }
  | { kind: 'unbind'; id: string }
  | { kind: 'invalid'; reason: string };

const ID = /^[A-Za-z0-9\-.]{1,64}$/;
const TOKEN = /^[A-Za-z0-9._~+/-]+=*$/;

export function parseClientMessage(text: string): ClientMessage {
  const trimmed = text.trim();
  const space = trimmed.indexOf(' ');
  const verb = space < 0 ? trimmed : trimmed.slice(0, space);
  const argument = space < 0 ? '' : trimmed.slice(space + 1).trim();
  switch (verb) {
    case 'bearer':
      return TOKEN.test(argument) ? { kind: 'bearer', token: argument } : { kind: 'invalid', reason: 'Send "bearer <access token>"' };
    case 'bind':
    case 'unbind':
      return ID.test(argument) ? { kind: verb, id: argument } : { kind: 'invalid', reason: `Send "${verb} <Subscription id>"` };
    default:
      return { kind: 'invalid', reason: 'Unknown message; send "bearer <access token>", then "bind <Subscription id>"' };
  }
}

export const serverMessage = {
  authenticated: () => 'authenticated',
  bound: (id: string) => `bound ${id}`,
  unbound: (id: string) => `unbound ${id}`,
  ping: (id: string) => `ping ${id}`,
  error: (status: number, text: string) => `error ${status} ${text.replace(/\s+/g, ' ')}`,
};
