import type { AuditEvent } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { auditEntryView, detailText, whatText } from './audit-entry.ts';
import { cursorOf, filtersFromUrl, filtersToUrl, periodText, searchOf } from './audit-filters.ts';
import { accounting, patientWhoText, whyText } from './disclosures.ts';

/** An entry as src/domain/audit/audit-event.ts serves it. */
const read: AuditEvent = {
  resourceType: 'AuditEvent',
  id: '42',
  type: { system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest' },
  subtype: [{ system: 'http://hl7.org/fhir/restful-interaction', code: 'read' }],
  action: 'R',
  recorded: '2026-12-05T14:03:00.000Z',
  outcome: '0',
  agent: [
    {
      who: { identifier: { system: 'https://heron.dev/fhir/agent/user', value: 'u-lee' } },
      requestor: true,
      role: [{ text: 'physician' }],
      network: { address: '10.0.0.7', type: '2' },
      name: 'Mozilla/5.0',
    },
  ],
  source: { observer: { display: 'Heron' } },
  entity: [
    { what: { reference: 'Observation/9' }, type: { code: '2' } },
    { what: { reference: 'Patient/p1' }, role: { system: 'http://terminology.hl7.org/CodeSystem/object-role', code: '1' } },
  ],
};
const glass: AuditEvent = {
  ...read,
  id: '41',
  recorded: '2026-12-05T13:00:00.000Z',
  subtype: [{ system: 'https://heron.dev/fhir/CodeSystem/audit-event', code: '$break-the-glass' }],
  action: 'E',
  purposeOfEvent: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'ETREAT' }], text: 'Unconscious in the ER' }],
  entity: [{ what: { reference: 'Patient/p1' }, role: { system: 'http://terminology.hl7.org/CodeSystem/object-role', code: '1' } }],
};
const refused: AuditEvent = { ...read, id: '43', outcome: '4', outcomeDesc: 'forbidden', agent: [{ ...read.agent[0]!, who: { identifier: { system: 'https://heron.dev/fhir/agent/client', value: 'c-9' } }, role: undefined }] };

describe('audit trail filters', () => {
  it('reads the address, leaving out what is malformed, and writes back only what differs from the defaults', () => {
    const f = filtersFromUrl(new URLSearchParams('from=2026-12-05&to=2026-13-40&user=u-lee&patient=p1&what=emergency&outcome=failure&sort=user&entry=3'));
    expect(f).toEqual({ from: '2026-12-05', user: 'u-lee', patient: 'p1', what: 'emergency', outcome: 'failure', sort: 'user' });
    expect(filtersToUrl(f).toString()).toBe('from=2026-12-05&user=u-lee&patient=p1&what=emergency&outcome=failure&sort=user');
    expect(filtersFromUrl(new URLSearchParams('what=nonsense&sort=subtype&patient=a b'))).toEqual({ what: 'any', outcome: 'any', sort: 'newest' });
    expect(filtersToUrl({ what: 'any', outcome: 'any', sort: 'newest' }).toString()).toBe('');
  });

  it('becomes the AuditEvent search: local days as instants, the day after the last excluded, the chosen action and order', () => {
    const q = searchOf({ from: '2026-12-05', to: '2026-12-05', user: 'u-lee', patient: 'p1', what: 'read', outcome: 'success', sort: 'oldest' });
    const offset = (day: string) => {
      const minutes = -new Date(`${day}T00:00:00`).getTimezoneOffset();
      const sign = minutes >= 0 ? '+' : '-';
      const abs = Math.abs(minutes);
      return abs === 0 ? 'Z' : `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
    };
    expect(q.getAll('date')).toEqual([`ge2026-12-05T00:00:00${offset('2026-12-05')}`, `lt2026-12-06T00:00:00${offset('2026-12-06')}`]);
    expect(Object.fromEntries([...q].filter(([k]) => k !== 'date'))).toEqual({ agent: 'u-lee', patient: 'Patient/p1', action: 'R', outcome: '0', _sort: 'date' });
    expect(searchOf({ what: 'emergency', outcome: 'failure', sort: 'user' }).toString()).toBe('purpose=ETREAT&outcome=4&_sort=agent%2C-date');
    expect(searchOf({ what: 'any', outcome: 'any', sort: 'newest' }).toString()).toBe('');
  });

  it('takes the cursor from a next link, and says the period in words', () => {
    expect(cursorOf('http://h/fhir/R4/AuditEvent?patient=Patient%2Fp1&_count=50&_cursor=120.87')).toBe('120.87');
    expect(cursorOf(undefined)).toBeUndefined();
    expect(periodText({ from: '2026-12-05', to: '2026-12-05' })).toBe('5 Dec 2026');
    expect(periodText({ from: '2026-12-01', to: '2026-12-05' })).toBe('1 Dec 2026 to 5 Dec 2026');
    expect(periodText({ from: '2026-12-01' })).toBe('since 1 Dec 2026');
    expect(periodText({})).toBe('everything recorded');
  });
});

describe('an audit entry as the privacy officer reads it', () => {
  it('separates the patients from the resources touched, and says what was done in words', () => {
    const v = auditEntryView(read);
    expect(v).toMatchObject({ id: '42', agentId: 'u-lee', agentKind: 'user', role: 'physician', address: '10.0.0.7', userAgent: 'Mozilla/5.0', subtype: 'read', action: 'R', entities: ['Observation/9'], patients: ['p1'], succeeded: true, emergency: false });
    expect(whatText(v)).toBe('Read Observation/9');
    expect(whatText(auditEntryView({ ...read, entity: [{ what: { reference: 'Observation/1' } }, { what: { reference: 'Condition/2' } }] }))).toBe('Read Observation, Condition (2 resources)');
    expect(auditEntryView(refused)).toMatchObject({ agentKind: 'client', succeeded: false, failure: 'forbidden' });
  });

  it('marks emergency access with its reason, and shows recorded details as indented JSON', () => {
    const v = auditEntryView(glass);
    expect(v).toMatchObject({ emergency: true, purpose: 'ETREAT', reason: 'Unconscious in the ER' });
    expect(whyText(v)).toBe('Emergency treatment: "Unconscious in the ER"');
    expect(whyText(auditEntryView(read))).toBe('No purpose recorded');
    expect(detailText('{"role":"nurse"}')).toBe('{\n  "role": "nurse"\n}');
    expect(detailText('not json')).toBe('not json');
  });
});

describe("who, on the patient's Privacy page", () => {
  const as = (agent: AuditEvent['agent'][number]) => auditEntryView({ ...read, agent: [agent] });
  it('names whom the server named, with the role; otherwise the role and account id', () => {
    const named = (system: string, value: string, display: string | undefined, role?: string) =>
      as({ who: { identifier: { system: `https://heron.dev/fhir/agent/${system}`, value }, ...(display ? { display } : {}) }, requestor: true, ...(role ? { role: [{ text: role }] } : {}) });
    expect(patientWhoText(named('user', 'u-dana', 'Dana Whitfield, MD', 'physician'))).toBe('Dana Whitfield, MD (Physician)');
    expect(patientWhoText(named('user', 'u-x', undefined, 'nurse'))).toBe('Nurse at the practice (account u-x)');
    expect(patientWhoText(named('user', 'u-mum', 'Maria Alpha', 'proxy'))).toBe('Maria Alpha (your proxy)');
    expect(patientWhoText(named('user', 'u-aunt', 'Your proxy', 'proxy'))).toBe('Your proxy');
    expect(patientWhoText(named('client', 'c-1', 'Glucose Diary'))).toBe('The app Glucose Diary');
    expect(patientWhoText(named('client', 'c-2', undefined))).toBe('App or service c-2');
    // A display without an identifier is the agent's id (a reported event's agent), not a name the server gave.
    expect(as({ who: { display: 'someone' }, requestor: true }).agentName).toBeUndefined();
  });
});

describe('accounting of disclosures', () => {
  it('lists every access oldest first, by name where known, counting people and emergency accesses', () => {
    const a = accounting({
      practice: 'Riverside',
      patientName: 'Hartley, Eleanor',
      period: '5 Dec 2026',
      entries: [read, glass, refused].map(auditEntryView),
      names: new Map([['u-lee', 'Ann Lee (ann@example.org)']]),
      truncated: false,
    });
    expect(a.lines.map((l) => [l.who, l.role, l.what, l.emergency, l.refused])).toEqual([
      ['Ann Lee (ann@example.org)', 'physician', 'Emergency access', true, false],
      ['Ann Lee (ann@example.org)', 'physician', 'Read Observation/9', false, false],
      ['App or service c-9', 'app', 'Read Observation/9', false, true],
    ]);
    expect(a).toMatchObject({ practice: 'Riverside', people: 2, emergencies: 1, truncated: false });
  });
});
