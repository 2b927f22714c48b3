import type { Bundle, CareTeam, Task } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { acknowledged, assigned, inboxCounts, inboxCriteria, inboxItems, inboxSearches, normalResults, poolsOf, replyTo } from './inbox-items.ts';

const patient = { resourceType: 'Patient', id: 'p1', name: [{ family: 'Lindqvist', given: ['Anna'] }], identifier: [{ type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MR' }] }, value: 'MRN-1' }] };
const review = (id: string, focus: string, over: Partial<Task> = {}): Task => ({
  resourceType: 'Task',
  id,
  status: 'requested',
  intent: 'order',
  code: { coding: [{ system: 'urn:heron:inbox-task', code: 'review-result' }] },
  focus: { reference: focus },
  for: { reference: 'Patient/p1' },
  owner: { reference: 'Practitioner/me' },
  authoredOn: '2026-12-05T09:00:00Z',
  ...over,
});
const obs = (id: string, interpretation?: string) => ({
  resourceType: 'Observation',
  id,
  status: 'final',
  code: { text: 'Potassium' },
  valueQuantity: { value: 4.1, unit: 'mmol/L' },
  ...(interpretation ? { interpretation: [{ coding: [{ code: interpretation }], text: interpretation === 'N' ? 'Normal' : 'High' }] } : {}),
});

const tasks: Bundle = {
  resourceType: 'Bundle',
  type: 'searchset',
  entry: [
    { resource: review('t1', 'Observation/o1'), search: { mode: 'match' } },
    { resource: review('t2', 'Observation/o2', { priority: 'urgent', authoredOn: '2026-12-04T09:00:00Z' }), search: { mode: 'match' } },
    { resource: { resourceType: 'Task', id: 't3', status: 'requested', intent: 'order', code: { coding: [{ system: 'urn:heron:inbox-task', code: 'refill-request' }] }, description: 'Refill lisinopril', for: { reference: 'Patient/p1' }, owner: { reference: 'CareTeam/nurses' }, authoredOn: '2026-12-05T08:00:00Z' }, search: { mode: 'match' } },
    { resource: { resourceType: 'Task', id: 't4', status: 'requested', intent: 'order', description: 'Call about colonoscopy', for: { reference: 'Patient/p1' }, authoredOn: '2026-12-03T08:00:00Z', restriction: { period: { end: '2026-12-08' } } }, search: { mode: 'match' } },
    { resource: obs('o1', 'N'), search: { mode: 'include' } },
    { resource: obs('o2', 'H'), search: { mode: 'include' } },
    { resource: patient, search: { mode: 'include' } },
  ],
} as Bundle;
const messages: Bundle = {
  resourceType: 'Bundle',
  type: 'searchset',
  entry: [
    { resource: { resourceType: 'Communication', id: 'c1', status: 'in-progress', subject: { reference: 'Patient/p1' }, sent: '2026-12-05T10:00:00Z', payload: [{ contentString: 'Can I take ibuprofen with my new tablets?' }], recipient: [{ reference: 'Practitioner/me' }] }, search: { mode: 'match' } },
    { resource: patient, search: { mode: 'include' } },
  ],
} as Bundle;

describe('the inbox', () => {
  const items = inboxItems(tasks, messages);

  it('lists results, refills, tasks and messages in one list, each with its patient', () => {
    expect(items.map((i) => [i.key, i.kind])).toEqual([
      ['Task/t2', 'result'], // urgent first
      ['Communication/c1', 'message'],
      ['Task/t1', 'result'],
      ['Task/t3', 'refill'],
      ['Task/t4', 'task'],
    ]);
    for (const item of items) expect(item).toMatchObject({ patientId: 'p1', patientName: 'Lindqvist, Anna', patientMrn: 'MRN-1' });
    expect(items.find((i) => i.key === 'Task/t1')).toMatchObject({ title: 'Potassium', detail: '4.1 mmol/L (Normal)', normal: true });
    expect(items.find((i) => i.key === 'Task/t2')).toMatchObject({ normal: false, urgent: true });
    expect(items.find((i) => i.key === 'Task/t3')).toMatchObject({ title: 'Refill lisinopril', owner: 'CareTeam/nurses' });
    expect(items.find((i) => i.key === 'Task/t4')).toMatchObject({ due: '2026-12-08' });
  });

  it('counts each category and picks the normal results for signing together', () => {
    expect(inboxCounts(items)).toEqual({ result: 2, message: 1, refill: 1, task: 1, correction: 0, total: 5 });
    expect(normalResults(items).map((i) => i.key)).toEqual(['Task/t1']);
  });

  it('completes what is acknowledged, and gives a task to a new owner as new', () => {
    const result = items.find((i) => i.key === 'Task/t1')!;
    expect(acknowledged(result, '2026-12-05T11:00:00Z')).toMatchObject({ status: 'completed', executionPeriod: { end: '2026-12-05T11:00:00Z' } });
    expect(acknowledged(items.find((i) => i.kind === 'message')!, 'x')).toMatchObject({ resourceType: 'Communication', status: 'completed' });
    expect(assigned({ ...review('t1', 'Observation/o1'), status: 'accepted' }, { reference: 'CareTeam/nurses' }, 'x')).toMatchObject({ owner: { reference: 'CareTeam/nurses' }, status: 'requested' });
  });

  it('searches and subscribes for the person and their pools', () => {
    const owners = ['Practitioner/me', 'CareTeam/nurses'];
    expect(inboxSearches(owners).tasks).toMatchObject({ owner: 'Practitioner/me,CareTeam/nurses', status: 'requested,received,accepted,in-progress' });
    expect(inboxCriteria(owners)).toEqual(['Task?owner=Practitioner/me,CareTeam/nurses', 'Communication?recipient=Practitioner/me,CareTeam/nurses', 'Task?code=http://hl7.org/fhir/CodeSystem/task-code|change']);
  });

  it('finds the pools a practitioner is an active member of', () => {
    const teams: CareTeam[] = [
      { resourceType: 'CareTeam', id: 'nurses', status: 'active', name: 'Nurses', participant: [{ member: { reference: 'Practitioner/me' } }] },
      { resourceType: 'CareTeam', id: 'left', status: 'active', participant: [{ member: { reference: 'Practitioner/me' }, period: { end: '2026-01-01' } }] },
      { resourceType: 'CareTeam', id: 'ended', status: 'inactive', participant: [{ member: { reference: 'Practitioner/me' } }] },
      { resourceType: 'CareTeam', id: 'a-patient', status: 'active', subject: { reference: 'Patient/p1' }, participant: [{ member: { reference: 'Practitioner/me' } }] },
    ];
    expect(poolsOf(teams, 'Practitioner/me', '2026-12-05T00:00:00Z').map((g) => g.id)).toEqual(['nurses']);
  });
});

describe('answering a message', () => {
  it('writes to the sender, linked to the message, on its topic', () => {
    const message = { resourceType: 'Communication', id: 'c1', status: 'in-progress', subject: { reference: 'Patient/p1' }, sender: { reference: 'RelatedPerson/mum' }, topic: { text: 'Tablets' } } as const;
    expect(replyTo(message, '  Yes, with food.  ', 'Practitioner/me', '2026-12-05T12:00:00Z')).toEqual({
      resourceType: 'Communication',
      status: 'completed',
      subject: { reference: 'Patient/p1' },
      topic: { text: 'Tablets' },
      inResponseTo: [{ reference: 'Communication/c1' }],
      sender: { reference: 'Practitioner/me' },
      recipient: [{ reference: 'RelatedPerson/mum' }],
      sent: '2026-12-05T12:00:00Z',
      payload: [{ contentString: 'Yes, with food.' }],
    });
    expect(replyTo({ ...message, sender: undefined }, 'x', 'Practitioner/me', 'x').recipient).toEqual([{ reference: 'Patient/p1' }]);
  });
});

describe('correction requests in the inbox', () => {
  const request = (id: string, owner?: string): Task => ({
    resourceType: 'Task',
    id,
    status: 'requested',
    intent: 'proposal',
    code: { coding: [{ system: 'http://hl7.org/fhir/CodeSystem/task-code', code: 'change' }] },
    for: { reference: 'Patient/p1' },
    focus: { reference: 'AllergyIntolerance/a1', display: 'Allergy: Penicillin' },
    requester: { reference: 'Patient/p1' },
    description: 'Not allergic',
    input: [{ type: { coding: [{ system: 'urn:heron:correction', code: 'proposed-wording' }] }, valueString: 'Amoxicillin' }],
    authoredOn: '2026-12-05T09:00:00Z',
    ...(owner ? { owner: { reference: owner } } : {}),
  });
  it('lists an unowned request once, as a correction naming the item and the patient’s words, even when also found as owned', () => {
    const owned: Bundle = { resourceType: 'Bundle', type: 'searchset', entry: [{ resource: request('mine', 'Practitioner/me'), search: { mode: 'match' } }] };
    const unowned: Bundle = { resourceType: 'Bundle', type: 'searchset', entry: [{ resource: request('open'), search: { mode: 'match' } }, { resource: request('mine', 'Practitioner/me'), search: { mode: 'match' } }, { resource: patient as never, search: { mode: 'include' } }] };
    const items = inboxItems(owned, undefined, unowned);
    expect(items.map((i) => i.key).sort()).toEqual(['Task/mine', 'Task/open']);
    expect(items.find((i) => i.key === 'Task/open')).toMatchObject({ kind: 'correction', title: 'Correction request: Allergy: Penicillin', detail: '“Not allergic” Should say: “Amoxicillin”', patientName: 'Lindqvist, Anna' });
    expect(inboxCounts(items).correction).toBe(2);
    expect(inboxSearches(['Practitioner/me']).corrections).toMatchObject({ code: 'http://hl7.org/fhir/CodeSystem/task-code|change', 'owner:missing': 'true' });
  });
});
