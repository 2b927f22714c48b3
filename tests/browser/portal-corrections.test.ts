/**
 * The right to amend in a real browser (docs/portal.md, "Corrections"): on a phone, a patient asks
 * to correct an allergy on My health; a clinician, in a separate browser, finds the request in the
 * inbox, opens the allergy in the chart from it, edits it and accepts; the chart marks the item and
 * the patient sees "Accepted" with what changed. A second request, about a problem, is denied — not
 * without a reason — and the patient sees the reason and files a statement of disagreement.
 * Screenshots at 375×812 and 1366×768, axe on every screen.
 */
import type { Bundle, Task } from '@medplum/fhirtypes';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkAtSizes, expectAccessible, LAPTOP, newPage, PHONE, requestAsPage, screenshot, signIn, useDemoServer } from './browser-fixture.ts';

describe('the portal: asking to correct the record', () => {
  const demo = useDemoServer();
  let patientId: string;
  let allergyId: string;
  let patient: { page: Page; problems: string[]; close: () => Promise<void> };
  let doctor: { page: Page; problems: string[]; close: () => Promise<void> };

  const open = async (role: string, viewport: { width: number; height: number }) => {
    const { context, page, problems } = await newPage(demo.browser);
    await page.setViewportSize(viewport);
    await signIn(page, demo.server.origin, demo.server.account(role));
    return { page, problems, close: () => context.close() };
  };
  const corrections = async (page: Page): Promise<Task[]> => {
    const found = (await requestAsPage(page, 'GET', `/fhir/R4/Task?patient=Patient/${patientId}&code=http://hl7.org/fhir/CodeSystem/task-code|change`)).body as Bundle<Task>;
    return (found.entry ?? []).map((e) => e.resource!);
  };

  beforeAll(async () => {
    patientId = demo.server.account('patient').fhirUser!.slice('Patient/'.length);
    doctor = await open('physician', LAPTOP);
    const allergy = await requestAsPage(doctor.page, 'POST', '/fhir/R4/AllergyIntolerance', {
      resourceType: 'AllergyIntolerance',
      clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', code: 'active' }] },
      verificationStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-verification', code: 'confirmed' }] },
      category: ['medication'],
      code: { coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '7980', display: 'Penicillin G' }], text: 'Penicillin G' },
      patient: { reference: `Patient/${patientId}` },
      reaction: [{ manifestation: [{ text: 'Hives' }] }],
    });
    expect(allergy.status).toBe(201);
    allergyId = (allergy.body as { id: string }).id;
    const problem = await requestAsPage(doctor.page, 'POST', '/fhir/R4/Condition', {
      resourceType: 'Condition',
      clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }] },
      category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-category', code: 'problem-list-item' }] }],
      code: { text: 'Chronic migraine' },
      subject: { reference: `Patient/${patientId}` },
      onsetDateTime: '2024-05-03',
    });
    expect(problem.status).toBe(201);
    patient = await open('patient', PHONE);
  }, 300_000);
  afterAll(async () => {
    await patient?.close();
    await doctor?.close();
  });

  it('a patient asks to correct an allergy; a clinician edits it from the inbox and accepts; the patient sees it accepted', async () => {
    const p = patient.page;
    await p.goto(`${demo.server.origin}/portal`);
    const allergies = p.getByRole('region', { name: 'Allergies' });
    await allergies.getByRole('button', { name: 'Ask to correct this: Allergy: Penicillin G' }).click();
    const ask = p.getByRole('dialog', { name: 'Ask to correct this' });
    await ask.getByText('About: Allergy: Penicillin G').waitFor();
    // Nothing said yet: the form says what it needs and sends nothing.
    await ask.getByRole('button', { name: 'Send request' }).click();
    await ask.getByText('Say what is wrong, so the practice knows what to look at.').waitFor();
    await ask.getByLabel('What is wrong?').fill('I am not allergic to penicillin. The hives were from amoxicillin in 2019.');
    await ask.getByLabel('What should it say? (optional)').fill('Allergy to amoxicillin, not penicillin.');
    await expectAccessible(p, 'the ask-to-correct form (phone)');
    await screenshot(p, 'portal-correction-ask-phone');
    await ask.getByRole('button', { name: 'Send request' }).click();
    const sent = p.getByRole('dialog', { name: 'Request sent' });
    await sent.getByText('answer within 60 days').waitFor();
    await expectAccessible(p, 'the request sent (phone)');
    await sent.getByRole('link', { name: 'See your correction requests' }).click();
    await p.waitForURL(`${demo.server.origin}/portal/corrections`);
    const card = p.getByTestId('correction').filter({ hasText: 'Allergy: Penicillin G' });
    await card.getByText('Waiting for an answer').waitFor();
    expect(await card.textContent()).toMatch(/What you said is wrong.*hives were from amoxicillin.*What you said it should say.*Allergy to amoxicillin/s);
    await checkAtSizes(p, 'portal-corrections-waiting', 'the correction requests, waiting', { banner: true });
    expect((await corrections(p)).map((t) => t.status)).toEqual(['requested']);

    // The clinician: the request is in the inbox, opens to the item and the patient's words.
    const d = doctor.page;
    await d.setViewportSize(LAPTOP);
    await d.goto(`${demo.server.origin}/inbox`);
    const row = d.getByRole('listitem').filter({ hasText: 'Correction request: Allergy: Penicillin G' });
    await row.waitFor();
    await d.getByRole('navigation', { name: 'Show' }).getByRole('link', { name: /^Corrections 1$/ }).waitFor();
    await expectAccessible(d, 'the inbox with a correction request');
    await screenshot(d, 'inbox-correction-request');
    await row.getByRole('button', { name: /^Answer: Correction request: Allergy: Penicillin G/ }).click();
    let answer = d.getByRole('dialog', { name: 'Correction request: Allergy: Penicillin G' });
    await answer.getByText('Penicillin G · reaction Hives').waitFor();
    await answer.getByText('I am not allergic to penicillin.', { exact: false }).waitFor();
    await expectAccessible(d, 'a correction request opened from the inbox');
    await screenshot(d, 'inbox-correction-dialog');
    // To the chart to edit the allergy; the chart marks the item as asked about.
    await answer.getByRole('link', { name: 'Open in the chart to edit' }).click();
    await d.waitForURL(`${demo.server.origin}/patients/${patientId}/allergies`);
    const chartRow = d.getByRole('grid', { name: 'Active allergies' }).getByRole('row', { name: /Penicillin G/ });
    await chartRow.getByText('Patient requested a correction — waiting for an answer').waitFor();
    await chartRow.getByRole('button', { name: 'Edit Penicillin G' }).click();
    const edit = d.getByRole('dialog', { name: 'Edit allergy' });
    await edit.getByLabel('Note').fill('Patient reports the 2019 hives followed amoxicillin, not penicillin. Corrected at the patient’s request.');
    await edit.getByRole('button', { name: 'Save' }).click();
    await edit.waitFor({ state: 'detached' });

    await d.goto(`${demo.server.origin}/inbox?show=correction`);
    await d.getByRole('listitem').filter({ hasText: 'Correction request: Allergy: Penicillin G' }).getByRole('button', { name: /^Answer:/ }).click();
    answer = d.getByRole('dialog', { name: 'Correction request: Allergy: Penicillin G' });
    await answer.getByRole('button', { name: 'Accept', exact: true }).click();
    await answer.getByLabel('What was changed (the patient is told)').fill('We added a note to your penicillin allergy: the hives in 2019 followed amoxicillin.');
    await expectAccessible(d, 'accepting a correction');
    await answer.getByRole('button', { name: 'Accept the correction' }).click();
    await answer.waitFor({ state: 'detached' });
    await d.getByText('No corrections waiting.').waitFor();
    const [accepted] = await corrections(d);
    expect(accepted).toMatchObject({ status: 'completed', statusReason: { text: expect.stringMatching(/added a note/) } });
    expect(accepted!.output?.[0]?.valueReference?.reference).toMatch(new RegExp(`^AllergyIntolerance/${allergyId}/_history/2$`));

    // The outcome is attached to the record: the chart item says so.
    await d.goto(`${demo.server.origin}/patients/${patientId}/allergies`);
    await d.getByRole('grid', { name: 'Active allergies' }).getByRole('row', { name: /Penicillin G/ }).getByText('Patient requested a correction — accepted').waitFor();
    await expectAccessible(d, 'the allergy list with an accepted correction');
    await screenshot(d, 'chart-allergy-correction-accepted');

    // The patient sees it accepted, with what changed.
    await p.reload();
    await card.getByText('Accepted', { exact: true }).waitFor();
    expect(await card.textContent()).toMatch(/What the practice changed.*added a note to your penicillin allergy/s);
    await checkAtSizes(p, 'portal-corrections-accepted', 'the correction requests, accepted', { banner: true });
    // …and on the item itself in My health.
    await p.goto(`${demo.server.origin}/portal`);
    await p.getByRole('region', { name: 'Allergies' }).getByRole('link', { name: 'You asked to correct this: accepted' }).waitFor();
    await checkAtSizes(p, 'portal-my-health-correction-accepted', 'My health with an accepted correction', { banner: true });
    expect(patient.problems).toEqual([]);
    expect(doctor.problems).toEqual([]);
  });

  it('a request about a problem is denied with its reason; the patient reads it and files a statement of disagreement', async () => {
    const p = patient.page;
    await p.setViewportSize(PHONE);
    await p.goto(`${demo.server.origin}/portal`);
    await p.getByRole('region', { name: 'Health problems' }).getByRole('button', { name: 'Ask to correct this: Chronic migraine' }).click();
    const ask = p.getByRole('dialog', { name: 'Ask to correct this' });
    await ask.getByLabel('What is wrong?').fill('I have never had migraines; I had one bad headache after a fall.');
    await ask.getByRole('button', { name: 'Send request' }).click();
    await p.getByRole('dialog', { name: 'Request sent' }).getByRole('button', { name: 'Close' }).click();

    const d = doctor.page;
    await d.goto(`${demo.server.origin}/inbox`);
    await d.getByRole('listitem').filter({ hasText: 'Correction request: Chronic migraine' }).getByRole('button', { name: /^Answer:/ }).click();
    const answer = d.getByRole('dialog', { name: 'Correction request: Chronic migraine' });
    await answer.getByRole('button', { name: 'Deny', exact: true }).click();
    // No reason, no denial: the form says so and nothing is saved.
    await answer.getByRole('button', { name: 'Deny the request' }).click();
    await answer.getByText('A denial needs its reason.').waitFor();
    expect((await corrections(d)).find((t) => t.focus?.display === 'Chronic migraine')?.status).toBe('requested');
    await expectAccessible(d, 'denying without a reason');
    await screenshot(d, 'inbox-correction-deny-reason-required');
    await answer.getByLabel('Reason for the denial (the patient is told)').fill('Your neurologist diagnosed chronic migraine on 3 May 2024 after several visits; the record is accurate.');
    await answer.getByRole('button', { name: 'Deny the request' }).click();
    await answer.waitFor({ state: 'detached' });

    await d.goto(`${demo.server.origin}/patients/${patientId}/problems`);
    await d.getByRole('row', { name: /Chronic migraine/ }).first().getByText('Patient requested a correction — denied').waitFor();
    await expectAccessible(d, 'the problem list with a denied correction');
    await screenshot(d, 'chart-problem-correction-denied');

    await p.goto(`${demo.server.origin}/portal/privacy`);
    await p.getByRole('link', { name: 'Your correction requests' }).click();
    await p.waitForURL(`${demo.server.origin}/portal/corrections`);
    const card = p.getByTestId('correction').filter({ hasText: 'Chronic migraine' });
    await card.getByText('Denied', { exact: true }).waitFor();
    expect(await card.textContent()).toMatch(/Why the practice did not change it.*neurologist diagnosed chronic migraine/s);
    await card.getByRole('button', { name: 'Write a statement of disagreement' }).click();
    await card.getByLabel('Your statement of disagreement').fill('I disagree. I saw the neurologist once, after a fall, and have had no headaches since.');
    await checkAtSizes(p, 'portal-corrections-denied', 'a denied request with the statement form', { banner: true });
    await p.setViewportSize(PHONE);
    await card.getByRole('button', { name: 'Add my statement' }).click();
    await card.getByRole('heading', { name: 'Your statement of disagreement' }).waitFor();
    await card.getByText('I saw the neurologist once', { exact: false }).waitFor();
    await expectAccessible(p, 'the statement of disagreement filed (phone)');
    await screenshot(p, 'portal-corrections-disagreement-phone', { fullPage: true });
    expect(await p.evaluate(() => (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);

    // The practice is told: the statement waits in the inbox of whoever denied, and the chart item shows it.
    await d.goto(`${demo.server.origin}/inbox?show=message`);
    await d.getByRole('listitem').filter({ hasText: 'Statement of disagreement: Chronic migraine' }).getByText('I saw the neurologist once', { exact: false }).waitFor();
    await d.goto(`${demo.server.origin}/patients/${patientId}/problems`);
    await d.getByRole('row', { name: /Chronic migraine/ }).first().getByText('Patient filed a statement of disagreement').waitFor();
    await expectAccessible(d, 'the problem list with a statement of disagreement');
    await screenshot(d, 'chart-problem-correction-disagreement');
    expect(patient.problems).toEqual([]);
    expect(doctor.problems).toEqual([]);
  });
});
