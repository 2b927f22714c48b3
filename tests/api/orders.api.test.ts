/**
 * Screening questionnaires and orders over HTTP on both databases: `heron practice load-content`
 * gives a practice PHQ-9, GAD-7 and the order catalogue (once); `QuestionnaireResponse/$extract`
 * scores answers into a transaction Bundle (response + LOINC-coded score Observation) that saves
 * whole; the write rules refuse a score that disagrees with its answers (sent alone, in a
 * transaction, or by changing the answers afterwards); a lab order's result links back to it, and a
 * signed lab order moves forward only (draft → active → completed or revoked) and keeps what it asks for.
 */
import { describe, expect, it } from 'vitest';
import { HeronServer, STORE_KINDS, type Tenant } from '../fixtures/heron-server.ts';
import { useHeronServer } from '../fixtures/use-heron-server.ts';
import { expectOutcome, expectStatus } from './fhir-expect.ts';

const PHQ9 = 'https://heron.dev/fhir/Questionnaire/phq-9';
const GAD7 = 'https://heron.dev/fhir/Questionnaire/gad-7';
const ANSWERS = ['LA6568-5', 'LA6569-3', 'LA6570-1', 'LA6571-9'];

function answers(questionnaire: string, patient: string, weights: readonly number[], status = 'completed') {
  return {
    resourceType: 'QuestionnaireResponse',
    status,
    questionnaire,
    subject: { reference: `Patient/${patient}` },
    authored: '2026-12-05T10:00:00Z',
    item: weights.map((w, i) => ({ linkId: String(i + 1), answer: [{ valueCoding: { system: 'http://loinc.org', code: ANSWERS[w] } }] })),
  };
}

describe.each(STORE_KINDS)('screening questionnaires and orders (%s)', (kind) => {
  let server: HeronServer;
  let t: Tenant;
  let patient: string;

  useHeronServer(kind, (started) => {
    server = started;
    t = started.default;
  });

  const extract = (body: unknown) => t.fhir('POST', 'QuestionnaireResponse/$extract', { body });
  const transaction = (bundle: unknown) => t.fhir('POST', '', { body: bundle });

  it('heron practice load-content adds PHQ-9, GAD-7, the intake form and the order catalogue once', async () => {
    const first = await server.cli(['practice', 'load-content', t.practiceId, '--json']);
    expect(first.code, first.stderr).toBe(0);
    const created = JSON.parse(first.stdout).created as number;
    expect(created).toBeGreaterThanOrEqual(3 + 7 + 3);
    const again = await server.cli(['practice', 'load-content', t.practiceId, '--json']);
    expect(JSON.parse(again.stdout).created).toBe(0);

    const questionnaires = await t.fhir('GET', 'Questionnaire?status=active');
    expect(questionnaires.body.entry.map((e: any) => e.resource.url).sort()).toEqual([GAD7, 'https://heron.dev/fhir/Questionnaire/intake', PHQ9]);
    const phq9 = questionnaires.body.entry.find((e: any) => e.resource.url === PHQ9).resource;
    expect(phq9.code[0].code).toBe('44249-1');
    const catalogue = await t.fhir('GET', 'ActivityDefinition?status=active&_count=100');
    const codes = catalogue.body.entry.map((e: any) => e.resource.code?.coding?.[0]?.code).filter(Boolean);
    expect(codes).toEqual(expect.arrayContaining(['58410-2', '24323-8', '24320-4', '57698-3', '4548-4', '3016-3', '24356-8']));
    const sentences = catalogue.body.entry.filter((e: any) => e.resource.kind === 'MedicationRequest').map((e: any) => e.resource.productCodeableConcept.coding[0].code);
    expect(sentences).toEqual(expect.arrayContaining(['313782', '198145']));

    patient = (await t.fhir('POST', 'Patient', { body: { resourceType: 'Patient', name: [{ family: 'Screened' }] } })).body.id;
  });

  it('$extract scores a PHQ-9 into a transaction that saves the answers and the score together', async () => {
    const res = await extract(answers(PHQ9, patient, [2, 2, 2, 2, 1, 1, 1, 0, 1]));
    expectStatus(res, 200);
    expect(res.body).toMatchObject({ resourceType: 'Bundle', type: 'transaction' });
    expect(res.body.entry.map((e: any) => e.request.method + ' ' + e.request.url)).toEqual(['POST QuestionnaireResponse', 'POST Observation']);
    const score = res.body.entry[1].resource;
    expect(score).toMatchObject({
      code: { coding: [{ system: 'http://loinc.org', code: '44261-6' }] },
      valueQuantity: { value: 12, code: '{score}' },
      interpretation: [{ coding: [{ code: 'moderate' }] }],
      derivedFrom: [{ reference: res.body.entry[0].fullUrl }],
    });
    expect(score.component[0].code.coding[0].code).toBe('44260-8');

    const saved = await transaction(res.body);
    expectStatus(saved, 200);
    const observationId = /Observation\/([^/]+)/.exec(saved.body.entry[1].response.location)![1];
    const stored = await t.fhir('GET', `Observation/${observationId}`);
    expect(stored.body.valueQuantity.value).toBe(12);
    expect(stored.body.derivedFrom[0].reference).toMatch(/^QuestionnaireResponse\//);
    const listed = await t.fhir('GET', `Observation?patient=${patient}&code=http://loinc.org|44261-6`);
    expect(listed.body.entry).toHaveLength(1);
  });

  it('GAD-7: each band, from the published cut-offs', async () => {
    for (const [weights, total, band] of [
      [[0, 0, 0, 0, 0, 0, 0], 0, 'minimal'],
      [[1, 1, 1, 1, 1, 0, 0], 5, 'mild'],
      [[2, 2, 2, 2, 2, 0, 0], 10, 'moderate'],
      [[3, 3, 3, 3, 3, 0, 0], 15, 'severe'],
    ] as const) {
      const res = await extract(answers(GAD7, patient, weights));
      expect(res.body.entry[1].resource, `total ${total}`).toMatchObject({ valueQuantity: { value: total }, interpretation: [{ coding: [{ code: band }] }] });
    }
  });

  it('any Questionnaire with scoring metadata is scored: a practice adds the PHQ-2', async () => {
    const weighted = (code: string, display: string, weight: number) => ({ valueCoding: { system: 'http://loinc.org', code, display, extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/ordinalValue', valueDecimal: weight }] } });
    const options = [weighted('LA6568-5', 'Not at all', 0), weighted('LA6569-3', 'Several days', 1), weighted('LA6570-1', 'More than half the days', 2), weighted('LA6571-9', 'Nearly every day', 3)];
    const band = (low: number, high: number | undefined, code: string) => ({
      url: 'https://heron.dev/fhir/StructureDefinition/score-band',
      extension: [{ url: 'low', valueInteger: low }, ...(high === undefined ? [] : [{ url: 'high', valueInteger: high }]), { url: 'interpretation', valueCoding: { system: 'https://example.org/phq2', code, display: code } }],
    });
    const phq2 = {
      resourceType: 'Questionnaire',
      url: 'https://example.org/Questionnaire/phq-2',
      status: 'active',
      title: 'PHQ-2',
      item: [
        { linkId: '1', type: 'choice', text: 'Little interest or pleasure in doing things', answerOption: options },
        { linkId: '2', type: 'choice', text: 'Feeling down, depressed, or hopeless', answerOption: options },
        {
          linkId: 'total',
          type: 'integer',
          readOnly: true,
          code: [{ system: 'http://loinc.org', code: '55758-7', display: 'PHQ-2 total score' }],
          extension: [{ url: 'http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-calculatedExpression', valueExpression: { language: 'text/fhirpath', expression: 'sum' } }, band(0, 2, 'negative'), band(3, undefined, 'positive')],
        },
      ],
    };
    expectStatus(await t.fhir('POST', 'Questionnaire', { body: phq2 }), 201);
    const res = await extract(answers(phq2.url, patient, [2, 1]));
    expectStatus(res, 200);
    expect(res.body.entry[1].resource).toMatchObject({ code: { coding: [{ code: '55758-7' }] }, valueQuantity: { value: 3 }, interpretation: [{ coding: [{ code: 'positive' }] }] });
    expectStatus(await transaction(res.body), 200);
  });

  it('$extract refuses a completed response with unanswered questions; an in-progress one has no score', async () => {
    const incomplete = await extract(answers(PHQ9, patient, [1, 1, 1]));
    expectOutcome(incomplete, 422);
    expect(incomplete.text).toMatch(/not answered/);
    const inProgress = await extract(answers(PHQ9, patient, [1, 1, 1], 'in-progress'));
    expectStatus(inProgress, 200);
    expect(inProgress.body.entry).toHaveLength(1);
    expectOutcome(await extract({ ...answers(PHQ9, patient, [1]), questionnaire: 'https://example.org/Questionnaire/unknown' }), 404);
    expectOutcome(await extract({ resourceType: 'Patient' }), 400);
  });

  it('a score that disagrees with its answers is refused, in a transaction and alone', async () => {
    const responses = async () => (await t.fhir('GET', `QuestionnaireResponse?patient=${patient}&_summary=count`)).body.total as number;
    const before = await responses();
    const res = await extract(answers(PHQ9, patient, [3, 3, 3, 3, 3, 3, 3, 3, 0]));
    const tampered = structuredClone(res.body);
    tampered.entry[1].resource.valueQuantity.value = 4;
    tampered.entry[1].resource.interpretation = [{ coding: [{ system: 'https://heron.dev/fhir/CodeSystem/score-band', code: 'minimal' }] }];
    const refused = await transaction(tampered);
    expectOutcome(refused, 422);
    expect(refused.text).toMatch(/total of 24/);
    // Nothing of the refused transaction was kept.
    expect(await responses()).toBe(before);

    // The score alone, derived from the stored answers of the first test.
    const stored = (await t.fhir('GET', `Observation?patient=${patient}&code=http://loinc.org|44261-6`)).body.entry.find((e: any) => e.resource.derivedFrom).resource;
    const { id: _id, meta: _meta, ...copy } = stored;
    expectOutcome(await t.fhir('POST', 'Observation', { body: { ...copy, valueQuantity: { ...copy.valueQuantity, value: 11 } } }), 422);
    expectOutcome(await t.fhir('PUT', `Observation/${stored.id}`, { body: { ...stored, interpretation: [{ coding: [{ system: 'https://heron.dev/fhir/CodeSystem/score-band', code: 'mild' }] }] } }), 422);
    expectOutcome(await t.fhir('POST', 'Observation', { body: { ...copy, derivedFrom: [{ reference: 'QuestionnaireResponse/never-saved' }] } }), 422);
    // A score without answers (e.g. imported from another system) is not Heron's to check.
    const { derivedFrom: _d, component: _c, ...external } = copy;
    expectStatus(await t.fhir('POST', 'Observation', { body: { ...external, valueQuantity: { ...copy.valueQuantity, value: 7 } } }), 201);
  });

  it('the answers of a scored response cannot change while the score stands', async () => {
    const scores = (await t.fhir('GET', `Observation?patient=${patient}&code=http://loinc.org|44261-6`)).body.entry.map((e: any) => e.resource);
    const score = scores.find((o: any) => o.derivedFrom !== undefined);
    const responseId = score.derivedFrom[0].reference.split('/')[1];
    const response = (await t.fhir('GET', `QuestionnaireResponse/${responseId}`)).body;
    const changed = structuredClone(response);
    changed.item[0].answer[0].valueCoding.code = ANSWERS[0];
    const refused = await t.fhir('PUT', `QuestionnaireResponse/${responseId}`, { body: changed });
    expectOutcome(refused, 422);
    expect(refused.text).toMatch(/have a score/);
    expectOutcome(await t.fhir('DELETE', `QuestionnaireResponse/${responseId}`), 422);
    // The same answers again (e.g. a note added elsewhere) are fine.
    expectStatus(await t.fhir('PUT', `QuestionnaireResponse/${responseId}`, { body: { ...response, language: 'en' } }), 200);
    // Withdrawing the score first frees the answers.
    expectStatus(await t.fhir('PUT', `Observation/${score.id}`, { body: { ...score, status: 'entered-in-error' } }), 200);
    expectStatus(await t.fhir('PUT', `QuestionnaireResponse/${responseId}`, { body: changed }), 200);
  });

  it('a lab order is a ServiceRequest; its result links back with DiagnosticReport.basedOn', async () => {
    const order = await t.fhir('POST', 'ServiceRequest', {
      body: {
        resourceType: 'ServiceRequest',
        status: 'active',
        intent: 'order',
        category: [{ coding: [{ system: 'http://snomed.info/sct', code: '108252007', display: 'Laboratory procedure' }] }],
        code: { coding: [{ system: 'http://loinc.org', code: '58410-2', display: 'CBC panel - Blood by Automated count' }] },
        subject: { reference: `Patient/${patient}` },
        requisition: { system: 'urn:heron:requisition', value: 'R-1' },
        authoredOn: '2026-12-05T10:00:00Z',
      },
    });
    expectStatus(order, 201);
    const report = await t.fhir('POST', 'DiagnosticReport', {
      body: { resourceType: 'DiagnosticReport', status: 'final', basedOn: [{ reference: `ServiceRequest/${order.body.id}` }], code: order.body.code, subject: { reference: `Patient/${patient}` }, effectiveDateTime: '2026-12-06T08:00:00Z' },
    });
    expectStatus(report, 201);
    const withResults = await t.fhir('GET', `ServiceRequest?patient=${patient}&_revinclude=DiagnosticReport:based-on`);
    expect(withResults.body.entry.map((e: any) => `${e.resource.resourceType}:${e.search.mode}`).sort()).toEqual(['DiagnosticReport:include', 'ServiceRequest:match']);
    expect((await t.fhir('GET', `ServiceRequest?patient=${patient}&requisition=urn:heron:requisition|R-1`)).body.entry).toHaveLength(1);
  });

  it('a signed lab order moves forward only and keeps what it asks for; a draft changes freely', async () => {
    const order = (status: string, code = '58410-2') => ({
      resourceType: 'ServiceRequest',
      status,
      intent: 'order',
      code: { coding: [{ system: 'http://loinc.org', code }] },
      subject: { reference: `Patient/${patient}` },
    });
    const put = (id: string, body: object) => t.fhir('PUT', `ServiceRequest/${id}`, { body: { ...body, id } });

    const draft = (await t.fhir('POST', 'ServiceRequest', { body: order('draft') })).body.id;
    expectStatus(await put(draft, order('draft', '4548-4')), 200);
    expectStatus(await put(draft, order('active', '4548-4')), 200);
    // Signed: not unsigned, not changed, not deleted.
    const unsigned = await put(draft, order('draft', '4548-4'));
    expectOutcome(unsigned, 422);
    expect(unsigned.text).toMatch(/not unsigned/);
    expectOutcome(await put(draft, order('active', '3016-3')), 422);
    expectOutcome(await t.fhir('DELETE', `ServiceRequest/${draft}`), 422);
    // Nor in a transaction.
    const viaBundle = await t.fhir('POST', '', { body: { resourceType: 'Bundle', type: 'transaction', entry: [{ resource: { ...order('active', '3016-3'), id: draft }, request: { method: 'PUT', url: `ServiceRequest/${draft}` } }] } });
    expectOutcome(viaBundle, 422);
    // Cancelled, it stays cancelled; entered-in-error is always possible.
    expectStatus(await put(draft, order('revoked', '4548-4')), 200);
    expectOutcome(await put(draft, order('active', '4548-4')), 422);
    expectStatus(await put(draft, order('entered-in-error', '4548-4')), 200);
    // A draft is deleted freely.
    const other = (await t.fhir('POST', 'ServiceRequest', { body: order('draft') })).body.id;
    expectStatus(await t.fhir('DELETE', `ServiceRequest/${other}`), [200, 204]);
  });
});
