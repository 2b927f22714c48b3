/**
 * `Patient/$summary` on both stores: an International Patient Summary document with its
 * required elements (checked by `tests/fixtures/ips-check.ts`, written from the IG), the active
 * problems, allergies and medications, the newest result per test, and what they refer to; the
 * mandatory sections say when nothing is recorded; the server's own validator accepts it; a
 * patient gets their own and never another's; the front desk gets none.
 */
import type { Bundle, Composition } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../domain/access/principal.ts';
import type { Ctx } from '../../domain/context.ts';
import { ipsProblems } from '../../../tests/fixtures/ips-check.ts';
import { dispatchAs, startTestApp, type TestApp } from '../test-app.ts';

const ACTIVE = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }] };
const RESOLVED = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'resolved' }] };

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`Patient/$summary (${kind})`, () => {
    let t: TestApp;
    const ids: Record<string, string> = {};
    let patientA: Ctx;
    let frontDesk: Ctx;
    const ctxOf = (principal: Principal): Ctx => ({ tenant: t.practiceId, principal, store: t.store, audit: { record() {} }, origin: {} });
    const sectionRefs = (doc: Bundle, code: string) => ((doc.entry![0].resource as Composition).section ?? []).find((s) => s.code?.coding?.[0]?.code === code)?.entry?.map((e) => e.reference!.replace(/^.*\/(\w+\/[^/]+)$/, '$1')) ?? [];

    beforeAll(async () => {
      t = await startTestApp({ kind });
      const create = async (name: string, resource: object) => {
        const res = await t.fhir('POST', (resource as { resourceType: string }).resourceType, { body: resource });
        expect(res.status, res.text).toBe(201);
        ids[name] = res.body.id;
      };
      await create('doc', { resourceType: 'Practitioner', name: [{ family: 'Osler', given: ['William'] }] });
      await create('metformin', { resourceType: 'Medication', code: { coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '860975', display: 'metformin 500 MG' }] } });
      await create('a', { resourceType: 'Patient', name: [{ family: 'Alpha', given: ['Ann'] }], birthDate: '1970-02-03', gender: 'female' });
      await create('b', { resourceType: 'Patient', name: [{ family: 'Beta', given: ['Bob'] }], birthDate: '1980-01-01' });
      await create('empty', { resourceType: 'Patient', name: [{ family: 'Empty', given: ['Emma'] }], birthDate: '2001-01-01' });
      const a = { reference: `Patient/${ids.a}` };
      await create('asthma', { resourceType: 'Condition', clinicalStatus: ACTIVE, subject: a, asserter: { reference: `Practitioner/${ids.doc}` }, code: { text: 'Asthma <b>mild</b> & persistent' }, onsetDateTime: '2010-05-01' });
      await create('oldFracture', { resourceType: 'Condition', clinicalStatus: RESOLVED, subject: a, code: { text: 'Fracture of wrist' } });
      await create('secretB', { resourceType: 'Condition', clinicalStatus: ACTIVE, subject: { reference: `Patient/${ids.b}` }, code: { text: 'secret diagnosis' } });
      await create('peanut', { resourceType: 'AllergyIntolerance', clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', code: 'active' }] }, patient: a, code: { text: 'Peanut' }, criticality: 'high' });
      await create('rx', { resourceType: 'MedicationRequest', status: 'active', intent: 'order', subject: a, medicationReference: { reference: `Medication/${ids.metformin}` }, dosageInstruction: [{ text: '1 tablet twice a day' }] });
      await create('flu', { resourceType: 'Immunization', status: 'completed', patient: a, vaccineCode: { coding: [{ system: 'http://hl7.org/fhir/sid/cvx', code: '140', display: 'Influenza, seasonal' }] }, occurrenceDateTime: '2025-10-01', performer: [{ actor: { reference: `Practitioner/${ids.doc}` } }] });
      const lab = (value: number, date: string) => ({ resourceType: 'Observation', status: 'final', category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] }], code: { coding: [{ system: 'http://loinc.org', code: '4548-4', display: 'Hemoglobin A1c' }] }, subject: a, effectiveDateTime: date, valueQuantity: { value, unit: '%', system: 'http://unitsofmeasure.org', code: '%' }, referenceRange: [{ high: { value: 5.7, unit: '%' } }] });
      await create('a1cOld', lab(8.1, '2025-01-10'));
      await create('a1cNew', lab(7.2, '2025-06-10'));
      await create('bp', { resourceType: 'Observation', status: 'final', category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs' }] }], code: { coding: [{ system: 'http://loinc.org', code: '8867-4', display: 'Heart rate' }] }, subject: a, effectiveDateTime: '2025-06-10', valueQuantity: { value: 72, unit: '/min', system: 'http://unitsofmeasure.org', code: '/min' } });
      patientA = ctxOf({ kind: 'user', id: 'user-a', tenant: t.practiceId, role: 'patient', scopes: ['patient/*.rs'], fhirUser: `Patient/${ids.a}`, patients: [ids.a] });
      frontDesk = ctxOf({ kind: 'user', id: 'desk', tenant: t.practiceId, role: 'front-desk', scopes: ['user/*.cruds'] });
    });
    afterAll(async () => {
      await t?.close();
    });

    it('is an IPS document with the active problems, allergies, medications, newest results and what they refer to', async () => {
      const res = await t.fhir('GET', `Patient/${ids.a}/$summary`);
      expect(res.status, res.text).toBe(200);
      const doc = res.body as Bundle;
      expect(ipsProblems(doc)).toEqual([]);
      expect(sectionRefs(doc, '11450-4')).toEqual([`Condition/${ids.asthma}`]);
      expect(sectionRefs(doc, '48765-2')).toEqual([`AllergyIntolerance/${ids.peanut}`]);
      expect(sectionRefs(doc, '10160-0')).toEqual([`MedicationRequest/${ids.rx}`]);
      expect(sectionRefs(doc, '11369-6')).toEqual([`Immunization/${ids.flu}`]);
      expect(sectionRefs(doc, '30954-2')).toEqual([`Observation/${ids.a1cNew}`]);
      expect(sectionRefs(doc, '8716-3')).toEqual([`Observation/${ids.bp}`]);
      const included = (doc.entry ?? []).map((e) => `${e.resource!.resourceType}/${e.resource!.id ?? ''}`);
      expect(included).toEqual(expect.arrayContaining([`Patient/${ids.a}`, `Medication/${ids.metformin}`, `Practitioner/${ids.doc}`]));
      expect(included).not.toContain(`Condition/${ids.oldFracture}`);
      expect(JSON.stringify(doc)).not.toContain('secret');
      // Narrative is escaped XHTML a reader can show as it is.
      const problems = (doc.entry![0].resource as Composition).section!.find((s) => s.code?.coding?.[0]?.code === '11450-4')!;
      expect(problems.text!.div).toContain('Asthma &lt;b&gt;mild&lt;/b&gt; &amp; persistent');
      const validated = await t.fhir('POST', 'Bundle/$validate', { body: doc });
      expect(validated.status, validated.text).toBe(200);
      expect((validated.body.issue as { severity: string }[]).filter((i) => i.severity === 'error' || i.severity === 'fatal'), validated.text).toEqual([]);
    });

    it('says so in each mandatory section when nothing is recorded', async () => {
      const doc = (await t.fhir('GET', `Patient/${ids.empty}/$summary`)).body as Bundle;
      expect(ipsProblems(doc)).toEqual([]);
      const sections = (doc.entry![0].resource as Composition).section!;
      expect(sections.map((s) => s.code!.coding![0].code)).toEqual(['11450-4', '48765-2', '10160-0']);
      for (const s of sections) {
        expect(s.entry).toBeUndefined();
        expect(s.emptyReason?.coding?.[0]?.code).toBe('unavailable');
      }
    });

    it("gives a patient their own summary, another's as an id never used, and the front desk none", async () => {
      const own = await dispatchAs(patientA, 'GET', `Patient/${ids.a}/$summary`);
      expect(own.status).toBe(200);
      expect(ipsProblems(own.body as Bundle)).toEqual([]);
      const other = await dispatchAs(patientA, 'GET', `Patient/${ids.b}/$summary`);
      const never = await dispatchAs(patientA, 'GET', 'Patient/unused-id-0000/$summary');
      expect(other.status).toBe('not-found');
      expect([other.status, other.code]).toEqual([never.status, never.code]);
      expect((await dispatchAs(frontDesk, 'GET', `Patient/${ids.a}/$summary`)).status).toBe('forbidden');
    });

    it('refuses parameters it does not take', async () => {
      const res = await t.fhir('GET', `Patient/${ids.a}/$summary?profile=http://example.org`);
      expect(res.status).toBe(400);
      expect(JSON.stringify(res.body.issue)).toContain('profile');
    });
  });
}

