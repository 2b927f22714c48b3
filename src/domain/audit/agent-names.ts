/**
 * Names in a patient's accounting of disclosures (issue #13: "who (name and role)"). The audit
 * log keeps account and app ids only; the name is looked up when the patient reads it, so the
 * hash-chained entries never change (`AuditEvent/$verify` checks what was stored) and a name
 * corrected later shows everywhere.
 *
 * Who is named, and by what, is deliberately narrow, because the reader is a patient:
 * - staff, by their Practitioner's name, only when both the entry's role and the account's role
 *   now are staff roles and the account's `fhirUser` is a Practitioner (never an e-mail address,
 *   which the admin screens fall back to);
 * - a proxy of this patient as "Your proxy", or by the RelatedPerson's name when that
 *   RelatedPerson is about this patient (it is in their own record, so they may read it anyway);
 * - an app or service by its registered name;
 * - nobody else: a patient account other than the reader's own is never named, whatever it is
 *   linked to, so no other patient's name can reach this view.
 * Events an app reported are served as the app sent them and are not touched.
 * Each distinct agent is looked up once per answer.
 */
import type { AuditEvent, Practitioner, RelatedPerson } from '@medplum/fhirtypes';
import type { StoredAuditEntry } from '../../store/audit-log.ts';
import type { Role } from '../access/principal.ts';
import type { Ctx } from '../context.ts';
import { formatName } from '../privacy/name-book.ts';

/** Roles whose accounts act for the practice (everyone but patients and proxies). */
const STAFF_ROLES: ReadonlySet<string> = new Set<Role>(['physician', 'resident', 'student', 'nurse', 'medical-assistant', 'front-desk', 'billing', 'practice-admin']);

/** What a proxy is called when its RelatedPerson cannot be named. */
export const PROXY_DISPLAY = 'Your proxy';

/** Sets `who.display` of each event's requesting agent; `own` is the reader's `Patient/…`. */
export type AgentNamer = (entry: StoredAuditEntry, event: AuditEvent) => Promise<AuditEvent>;

export function agentNamer(ctx: Ctx, own: string): AgentNamer {
  const known = new Map<string, Promise<string | undefined>>();
  const nameOf = (entry: StoredAuditEntry): Promise<string | undefined> => {
    // The entry's role is part of the key: the same account seen as staff once and as something else later is judged per role.
    const key = `${entry.agentKind}:${entry.agentId}:${entry.agentRole ?? ''}`;
    let name = known.get(key);
    if (name === undefined) {
      name = lookUp(ctx, own, entry).catch(() => undefined);
      known.set(key, name);
    }
    return name;
  };
  return async (entry, event) => {
    if (entry.reported !== undefined) return event;
    const display = await nameOf(entry);
    const agent = event.agent.find((a) => a.requestor) ?? event.agent[0];
    if (display !== undefined && agent?.who !== undefined) agent.who = { ...agent.who, display };
    return event;
  };
}

async function lookUp(ctx: Ctx, own: string, entry: StoredAuditEntry): Promise<string | undefined> {
  if (entry.agentKind === 'client') {
    const client = await ctx.store.admin.getClient(entry.agentId, { includeDisabled: true });
    return client?.practiceId === ctx.tenant && client.name !== '' ? client.name : undefined;
  }
  if (entry.agentKind !== 'user') return undefined;
  const role = entry.agentRole ?? '';
  if (!STAFF_ROLES.has(role) && role !== 'proxy') return undefined;
  const account = await ctx.store.admin.users.get(entry.agentId);
  if (account === undefined || account.tenant !== ctx.tenant) return undefined;
  const reader = ctx.store.reader(ctx.tenant);
  if (role === 'proxy') {
    // Only a proxy of this patient is "your proxy"; its name only from a RelatedPerson about this patient.
    if (account.role !== 'proxy' || !(account.patients ?? []).includes(own.slice('Patient/'.length))) return undefined;
    const [type, id] = (account.fhirUser ?? '').split('/');
    if (type !== 'RelatedPerson' || id === undefined) return PROXY_DISPLAY;
    const person = (await reader.readCurrent('RelatedPerson', id))?.resource as RelatedPerson | undefined;
    const name = person?.patient?.reference === own ? formatName(person.name) : undefined;
    return name ?? PROXY_DISPLAY;
  }
  if (!STAFF_ROLES.has(account.role)) return undefined;
  const [type, id] = (account.fhirUser ?? '').split('/');
  if (type !== 'Practitioner' || id === undefined) return undefined;
  const practitioner = (await reader.readCurrent('Practitioner', id))?.resource as Practitioner | undefined;
  return practitioner === undefined ? undefined : professionalName(practitioner.name);
}

/** "Dana Whitfield, MD": how a patient is told who looked, with the qualification (the prefix adds nothing next to the role). */
function professionalName(names: Practitioner['name']): string | undefined {
  const name = names?.find((n) => n.use === 'official') ?? names?.[0];
  if (name?.text !== undefined) return formatName([name]);
  const plain = [...(name?.given ?? []), name?.family].filter(Boolean).join(' ');
  return plain === '' ? undefined : [plain, ...(name?.suffix ?? [])].join(', ');
}
