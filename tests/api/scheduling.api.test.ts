/**
 * Double booking is refused by the server, on both databases: a clinician's overlapping
 * appointment is answered 409 with an OperationOutcome naming who holds the time, whatever the
 * route (create, update, JSON Patch, transaction Bundle); of N bookings of the same time sent at
 * once exactly one succeeds; cancelling frees the time; moving an appointment never conflicts
 * with itself; another practice's appointments never conflict. docs/scheduling.md.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { HeronServer, STORE_KINDS, type HttpResult, type Tenant } from '../fixtures/heron-server.ts';
import { useHeronServer } from '../fixtures/use-heron-server.ts';
import { expectOutcome, expectStatus } from './fhir-expect.ts';

describe.each(STORE_KINDS)('scheduling: no double booking (%s)', (kind) => {
  let server: HeronServer;
  let t: Tenant;
  useHeronServer(kind, (started) => {
    server = started;
    t = started.default;
  });

  /** A clinician and a patient of their own, so each test starts with an empty day. */
  async function clinic(tenant: Tenant = t, practitionerId = `dr-${randomUUID().slice(0, 8)}`): Promise<{ dr: string; patient: string; other: string }> {
    expectStatus(await tenant.fhir('PUT', `Practitioner/${practitionerId}`, { body: { resourceType: 'Practitioner', id: practitionerId, name: [{ family: 'Whitfield', given: ['Dana'], prefix: ['Dr.'] }] } }), [200, 201]);
    const p = await tenant.fhir('POST', 'Patient', { body: { resourceType: 'Patient', name: [{ family: 'Booker', given: ['Ann'] }] } });
    const q = await tenant.fhir('POST', 'Patient', { body: { resourceType: 'Patient', name: [{ family: 'Second', given: ['Bo'] }] } });
    expectStatus(p, 201);
    expectStatus(q, 201);
    return { dr: practitionerId, patient: p.body.id, other: q.body.id };
  }

  function appointment(dr: string, patient: string, start: string, end: string, extra: Record<string, unknown> = {}) {
    return {
      resourceType: 'Appointment',
      status: 'booked',
      start,
      end,
      participant: [
        { actor: { reference: `Patient/${patient}`, display: 'Booker, Ann' }, status: 'accepted' },
        { actor: { reference: `Practitioner/${dr}`, display: 'Dr. Dana Whitfield' }, status: 'accepted' },
      ],
      ...extra,
    };
  }

  const book = (dr: string, patient: string, start: string, end: string, tenant: Tenant = t) => tenant.fhir('POST', 'Appointment', { body: appointment(dr, patient, start, end) });

  function expectDoubleBooked(res: HttpResult, holder: string): void {
    expectOutcome(res, 409);
    const text = res.body.issue[0].diagnostics as string;
    expect(res.body.issue[0].code).toBe('conflict');
    expect(text).toContain('Dr. Dana Whitfield is already booked');
    expect(text).toContain(`Appointment/${holder}`);
  }

  it('refuses an overlapping booking of the same clinician with 409 naming who holds the time; back-to-back and other clinicians are fine', async () => {
    const { dr, patient, other } = await clinic();
    const first = await book(dr, patient, '2031-03-03T09:00:00Z', '2031-03-03T09:20:00Z');
    expectStatus(first, 201);
    const overlapping = await book(dr, other, '2031-03-03T09:10:00Z', '2031-03-03T09:30:00Z');
    expectDoubleBooked(overlapping, first.body.id);
    expect(overlapping.body.issue[0].diagnostics).toContain('09:00–09:20 on 2031-03-03 UTC with Booker, Ann');
    // Inside, around, and the same time exactly: all refused.
    expectDoubleBooked(await book(dr, other, '2031-03-03T09:05:00Z', '2031-03-03T09:10:00Z'), first.body.id);
    expectDoubleBooked(await book(dr, other, '2031-03-03T08:50:00Z', '2031-03-03T09:30:00Z'), first.body.id);
    expectDoubleBooked(await book(dr, other, '2031-03-03T09:00:00Z', '2031-03-03T09:20:00Z'), first.body.id);
    // The same time in another offset is the same time.
    expectDoubleBooked(await book(dr, other, '2031-03-03T04:10:00-05:00', '2031-03-03T04:30:00-05:00'), first.body.id);
    // Ending as the other starts is not an overlap.
    expectStatus(await book(dr, other, '2031-03-03T09:20:00Z', '2031-03-03T09:40:00Z'), 201);
    expectStatus(await book(dr, other, '2031-03-03T08:40:00Z', '2031-03-03T09:00:00Z'), 201);
    // Another clinician at the same time.
    const { dr: dr2 } = await clinic();
    expectStatus(await book(dr2, other, '2031-03-03T09:00:00Z', '2031-03-03T09:20:00Z'), 201);
    // An appointment without a clinician books nobody.
    expectStatus(await t.fhir('POST', 'Appointment', { body: { ...appointment(dr, other, '2031-03-03T09:00:00Z', '2031-03-03T09:20:00Z'), participant: [{ actor: { reference: `Patient/${other}` }, status: 'accepted' }] } }), 201);
    // Nothing refused was stored.
    const day = await t.fhir('GET', `Appointment?actor=Practitioner/${dr}&date=2031-03-03&_count=50`);
    expect(day.body.entry).toHaveLength(3);
  });

  it('of 8 bookings of the same time sent at once, exactly one succeeds', async () => {
    const { dr, patient } = await clinic();
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => book(dr, patient, `2031-03-04T10:0${i}:00Z`, '2031-03-04T10:30:00Z')));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([201, 409, 409, 409, 409, 409, 409, 409]);
    const winner = results.find((r) => r.status === 201)!.body.id;
    for (const r of results.filter((x) => x.status === 409)) expectDoubleBooked(r, winner);
    const day = await t.fhir('GET', `Appointment?actor=Practitioner/${dr}&date=2031-03-04`);
    expect(day.body.entry).toHaveLength(1);
  });

  it('of 6 transaction Bundles booking the same time at once, exactly one commits, whole', async () => {
    const { dr, patient } = await clinic();
    const family = `Bundled${randomUUID().slice(0, 8)}`;
    const bundle = () => ({
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { fullUrl: `urn:uuid:${randomUUID()}`, resource: { resourceType: 'Patient', name: [{ family }] }, request: { method: 'POST', url: 'Patient' } },
        { fullUrl: `urn:uuid:${randomUUID()}`, resource: appointment(dr, patient, '2031-03-05T11:00:00Z', '2031-03-05T11:40:00Z'), request: { method: 'POST', url: 'Appointment' } },
      ],
    });
    const results = await Promise.all(Array.from({ length: 6 }, () => t.fhir('POST', '', { body: bundle() })));
    expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409, 409, 409, 409]);
    for (const r of results.filter((x) => x.status === 409)) expect(r.body.issue[0].diagnostics).toContain('Dr. Dana Whitfield is already booked 11:00–11:40');
    // The refused Bundles' other entries were rolled back with them.
    const patients = await t.fhir('GET', `Patient?family=${family}`);
    expect(patients.body.entry).toHaveLength(1);
    // Two overlapping appointments inside one Bundle: the second sees the first.
    const both = await t.fhir('POST', '', {
      body: {
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [
          { fullUrl: `urn:uuid:${randomUUID()}`, resource: appointment(dr, patient, '2031-03-05T14:00:00Z', '2031-03-05T14:20:00Z'), request: { method: 'POST', url: 'Appointment' } },
          { fullUrl: `urn:uuid:${randomUUID()}`, resource: appointment(dr, patient, '2031-03-05T14:10:00Z', '2031-03-05T14:30:00Z'), request: { method: 'POST', url: 'Appointment' } },
        ],
      },
    });
    expectOutcome(both, 409);
    expect((await t.fhir('GET', `Appointment?actor=Practitioner/${dr}&date=2031-03-05`)).body.entry).toHaveLength(1);
  });

  it('moving an appointment (PUT, PATCH) onto a taken time is refused; moving it over its own time is not', async () => {
    const { dr, patient, other } = await clinic();
    const taken = await book(dr, patient, '2031-03-06T09:00:00Z', '2031-03-06T09:20:00Z');
    const mine = await book(dr, other, '2031-03-06T10:00:00Z', '2031-03-06T10:20:00Z');
    expectStatus(taken, 201);
    expectStatus(mine, 201);
    const id = mine.body.id as string;
    // Longer, overlapping only itself: fine.
    const longer = await t.fhir('PUT', `Appointment/${id}`, { body: { ...mine.body, start: '2031-03-06T10:00:00Z', end: '2031-03-06T10:40:00Z' } });
    expectStatus(longer, 200);
    const moved = await t.fhir('PUT', `Appointment/${id}`, { body: { ...longer.body, start: '2031-03-06T09:10:00Z', end: '2031-03-06T09:30:00Z' } });
    expectDoubleBooked(moved, taken.body.id);
    const patched = await t.fhir('PATCH', `Appointment/${id}`, {
      body: JSON.stringify([
        { op: 'replace', path: '/start', value: '2031-03-06T08:50:00Z' },
        { op: 'replace', path: '/end', value: '2031-03-06T09:05:00Z' },
      ]),
      headers: { 'content-type': 'application/json-patch+json' },
    });
    expectDoubleBooked(patched, taken.body.id);
    // Still where it was.
    expect((await t.fhir('GET', `Appointment/${id}`)).body).toMatchObject({ start: '2031-03-06T10:00:00Z', end: '2031-03-06T10:40:00Z' });
    // Two appointments moved onto the same free time at once: one moves.
    const a = await book(dr, patient, '2031-03-06T12:00:00Z', '2031-03-06T12:20:00Z');
    const b = await book(dr, other, '2031-03-06T13:00:00Z', '2031-03-06T13:20:00Z');
    const moves = await Promise.all(
      [a, b].map((r) => t.fhir('PUT', `Appointment/${r.body.id}`, { body: { ...r.body, start: '2031-03-06T15:00:00Z', end: '2031-03-06T15:20:00Z' } })),
    );
    expect(moves.map((r) => r.status).sort()).toEqual([200, 409]);
  });

  it('cancelling (or a no-show) frees the time; bringing the cancelled one back then conflicts', async () => {
    const { dr, patient, other } = await clinic();
    const first = await book(dr, patient, '2031-03-07T09:00:00Z', '2031-03-07T09:20:00Z');
    expectStatus(first, 201);
    expectDoubleBooked(await book(dr, other, '2031-03-07T09:00:00Z', '2031-03-07T09:20:00Z'), first.body.id);
    const cancelled = await t.fhir('PUT', `Appointment/${first.body.id}`, { body: { ...first.body, status: 'cancelled', cancelationReason: { text: 'Patient called' } } });
    expectStatus(cancelled, 200);
    const second = await book(dr, other, '2031-03-07T09:00:00Z', '2031-03-07T09:20:00Z');
    expectStatus(second, 201);
    const { cancelationReason: _reason, ...restored } = cancelled.body;
    const back = await t.fhir('PUT', `Appointment/${first.body.id}`, { body: { ...restored, status: 'booked' } });
    expectDoubleBooked(back, second.body.id);
    // A no-show frees it too.
    expectStatus(await t.fhir('PUT', `Appointment/${second.body.id}`, { body: { ...second.body, status: 'noshow' } }), 200);
    expectStatus(await book(dr, patient, '2031-03-07T09:10:00Z', '2031-03-07T09:30:00Z'), 201);
    // Deleting never conflicts.
    expectStatus(await t.fhir('DELETE', `Appointment/${first.body.id}`), [200, 204]);
  });

  it("another practice's appointments never conflict, even for a clinician with the same id", async () => {
    const shared = `dr-shared-${randomUUID().slice(0, 8)}`;
    const b = await server.addTenant(`Other practice ${randomUUID().slice(0, 6)}`);
    const here = await clinic(t, shared);
    const there = await clinic(b, shared);
    expectStatus(await book(here.dr, here.patient, '2031-03-08T09:00:00Z', '2031-03-08T09:20:00Z'), 201);
    expectStatus(await book(there.dr, there.patient, '2031-03-08T09:00:00Z', '2031-03-08T09:20:00Z', b), 201);
    // Each practice still refuses its own double booking.
    expectOutcome(await book(there.dr, there.other, '2031-03-08T09:10:00Z', '2031-03-08T09:30:00Z', b), 409);
  });

  it('refuses a booking that ends before it starts or lasts more than a day', async () => {
    const { dr, patient } = await clinic();
    expectOutcome(await book(dr, patient, '2031-03-09T09:00:00Z', '2031-03-09T08:00:00Z'), [400, 422]);
    expectOutcome(await book(dr, patient, '2031-03-09T09:00:00Z', '2031-03-10T09:30:00Z'), 400);
  });
});
