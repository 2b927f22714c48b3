/**
 * A patient's accounting of disclosures (HIPAA §164.528; docs/audit.md "Accounting of
 * disclosures"): every recorded access to their record in a period, oldest first, each with who
 * (name and role), when, what and why, emergency accesses set apart with the reason given. Built
 * from the audit trail's `patient=` report; printed by `disclosures-pdf.ts`.
 */
import { roleLabel } from '../app/roles.ts';
import type { AuditEntryView } from './audit-entry.ts';
import { whatText } from './audit-entry.ts';

export interface DisclosureLine {
  /** ISO instant. */
  when: string;
  who: string;
  role: string;
  what: string;
  why: string;
  emergency: boolean;
  refused: boolean;
}

export interface Accounting {
  practice: string;
  patientName: string;
  mrn?: string;
  birthDate?: string;
  period: string;
  lines: DisclosureLine[];
  people: number;
  emergencies: number;
  /** More entries matched than the printout holds. */
  truncated: boolean;
}

const PURPOSES: Record<string, string> = {
  ETREAT: 'Emergency treatment',
  TREAT: 'Treatment',
  HPAYMT: 'Payment',
  HOPERAT: 'Operations',
  PATRQT: 'Patient request',
};

/** Why, as far as the trail says: the purpose of use and any stated reason. */
export function whyText(e: AuditEntryView): string {
  const purpose = e.purpose === undefined ? undefined : (PURPOSES[e.purpose] ?? e.purpose);
  if (purpose && e.reason) return `${purpose}: "${e.reason}"`;
  return purpose ?? (e.reason ? `"${e.reason}"` : 'No purpose recorded');
}

/** Who, by name when the practice's accounts name them; the id otherwise. */
export function whoText(e: AuditEntryView, names: ReadonlyMap<string, string>): string {
  const name = names.get(e.agentId);
  if (name) return name;
  if (e.agentKind === 'client') return `App or service ${e.agentId}`;
  if (e.agentKind === 'system') return `Heron (${e.agentId})`;
  return `User ${e.agentId}`;
}

/**
 * Who it was, for the patient's own Privacy page: "Dana Whitfield, MD (Physician)". The server
 * names staff, the patient's proxy and apps (docs/audit.md); anyone it does not name is described
 * by role and account id.
 */
export function patientWhoText(entry: AuditEntryView): string {
  const name = entry.agentName;
  if (entry.agentKind === 'client') return name ? `The app ${name}` : `App or service ${entry.agentId}`;
  if (entry.agentKind !== 'user') return 'Heron (the record system)';
  if (entry.role === 'proxy') return name === undefined || name === 'Your proxy' ? 'Your proxy' : `${name} (your proxy)`;
  if (name !== undefined) return entry.role ? `${name} (${roleLabel(entry.role)})` : name;
  return `${entry.role ? `${roleLabel(entry.role)} at the practice` : 'Practice staff'} (account ${entry.agentId})`;
}

export function accounting(input: {
  practice: string;
  patientName: string;
  mrn?: string;
  birthDate?: string;
  period: string;
  entries: readonly AuditEntryView[];
  names: ReadonlyMap<string, string>;
  truncated: boolean;
}): Accounting {
  const sorted = [...input.entries].sort((a, b) => a.recorded.localeCompare(b.recorded) || Number(a.id) - Number(b.id));
  const lines = sorted.map((e) => ({
    when: e.recorded,
    who: whoText(e, input.names),
    role: e.role ?? (e.agentKind === 'user' ? 'role not recorded' : e.agentKind === 'client' ? 'app' : 'system'),
    what: whatText(e),
    why: whyText(e),
    emergency: e.emergency,
    refused: !e.succeeded,
  }));
  const { entries: _entries, names: _names, ...rest } = input;
  return { ...rest, lines, people: new Set(sorted.map((e) => e.agentId)).size, emergencies: lines.filter((l) => l.emergency).length };
}
