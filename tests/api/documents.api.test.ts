/**
 * Documents over HTTP on both databases: a file uploaded as a Binary in its own media type (with
 * `X-Security-Context` naming the patient) and a DocumentReference pointing at it; read back as
 * FHIR JSON or, with `Accept` of its type, as the file itself with the headers that make inline
 * viewing safe; files of types not allowed, not of their declared type, or over the size limit
 * refused with a clear OperationOutcome (415, 422, 413), raw and as FHIR JSON alike.
 * @see https://hl7.org/fhir/R4/binary.html
 */
import { describe, expect, it } from 'vitest';
import { HeronServer, STORE_KINDS, type Tenant } from '../fixtures/heron-server.ts';
import { SAMPLE_FILES } from '../fixtures/document-files.ts';
import { useHeronServer } from '../fixtures/use-heron-server.ts';
import { expectOutcome, expectStatus } from './fhir-expect.ts';

describe.each(STORE_KINDS)('documents (%s)', (kind) => {
  let server: HeronServer;
  let t: Tenant;
  let patient: string;

  // A 1 MB limit, so the size check is tested without sending 20 MB.
  useHeronServer(kind, (started) => {
    server = started;
    t = started.default;
  }, { serve: { env: { HERON_MAX_BINARY_MB: '1' } } });

  const upload = (contentType: string, bytes: Uint8Array, headers: Record<string, string> = {}) => t.fhir('POST', 'Binary', { body: bytes, headers: { 'content-type': contentType, ...headers } });

  it('stores an uploaded PDF as a Binary, links it from a DocumentReference, and serves it back', async () => {
    patient = (await t.fhir('POST', 'Patient', { body: { resourceType: 'Patient', name: [{ family: 'Docs' }] } })).body.id;
    const created = await upload('application/pdf', SAMPLE_FILES.pdf, { 'x-security-context': `Patient/${patient}` });
    expectStatus(created, 201);
    const id = created.body.id as string;
    expect(created.headers.get('location')).toMatch(new RegExp(`/Binary/${id}/_history/1$`));
    expect(created.body).toMatchObject({ resourceType: 'Binary', contentType: 'application/pdf', securityContext: { reference: `Patient/${patient}` } });

    const doc = await t.fhir('POST', 'DocumentReference', {
      body: {
        resourceType: 'DocumentReference',
        status: 'current',
        type: { coding: [{ system: 'http://loinc.org', code: '34133-9', display: 'Summary of episode note' }] },
        subject: { reference: `Patient/${patient}` },
        date: '2026-12-05T10:00:00Z',
        content: [{ attachment: { contentType: 'application/pdf', url: `Binary/${id}`, title: 'Discharge summary.pdf', size: SAMPLE_FILES.pdf.length } }],
      },
    });
    expectStatus(doc, 201);
    const listed = await t.fhir('GET', `DocumentReference?patient=${patient}`);
    expect(listed.body.entry[0].resource.content[0].attachment.url).toBe(`Binary/${id}`);

    const json = await t.fhir('GET', `Binary/${id}`);
    expectStatus(json, 200);
    expect(json.headers.get('content-type')).toMatch(/application\/fhir\+json/);
    expect(Buffer.from(json.body.data, 'base64')).toEqual(SAMPLE_FILES.pdf);

    const file = await t.fhir('GET', `Binary/${id}`, { headers: { accept: 'application/pdf' } });
    expectStatus(file, 200);
    expect(Buffer.from(file.text, 'latin1')).toEqual(SAMPLE_FILES.pdf);
    expect(file.headers.get('content-type')).toBe('application/pdf');
    expect(file.headers.get('content-disposition')).toBe(`inline; filename="${id}.pdf"`);
    expect(file.headers.get('x-content-type-options')).toBe('nosniff');
    expect(file.headers.get('content-security-policy')).toMatch(/^sandbox; default-src 'none'/);
    expect(file.headers.get('etag')).toBe('W/"1"');
    // A wildcard of its family and a version read answer the file too; another type does not.
    expect((await t.fhir('GET', `Binary/${id}/_history/1`, { headers: { accept: 'application/*' } })).headers.get('content-type')).toBe('application/pdf');
    expectOutcome(await t.fhir('GET', `Binary/${id}`, { headers: { accept: 'image/png' } }), 406);
  });

  it('stores images and plain text, and the same file sent as FHIR JSON', async () => {
    for (const [type, bytes] of [['image/png', SAMPLE_FILES.png], ['image/jpeg', SAMPLE_FILES.jpeg], ['image/webp', SAMPLE_FILES.webp], ['image/heic', SAMPLE_FILES.heic], ['text/plain', SAMPLE_FILES.text]] as const) {
      const res = await upload(type, bytes, { 'x-security-context': `Patient/${patient}` });
      expectStatus(res, 201);
      const back = await t.fhir('GET', `Binary/${res.body.id}`, { headers: { accept: type } });
      expect(back.headers.get('content-type'), type).toMatch(new RegExp(`^${type}`));
    }
    const asJson = await t.fhir('POST', 'Binary', { body: { resourceType: 'Binary', contentType: 'image/png', data: SAMPLE_FILES.png.toString('base64'), securityContext: { reference: `Patient/${patient}` } } });
    expectStatus(asJson, 201);
  });

  it('refuses files of other types, of another type than declared, or too large', async () => {
    const html = await upload('text/html', SAMPLE_FILES.html);
    expectOutcome(html, 415);
    const disguised = await upload('application/pdf', SAMPLE_FILES.html);
    expectOutcome(disguised, 422);
    expect(disguised.body.issue[0].diagnostics).toMatch(/content is text, not application\/pdf/);
    expectOutcome(await upload('image/jpeg', SAMPLE_FILES.png), 422);
    expectOutcome(await t.fhir('POST', 'Binary', { body: { resourceType: 'Binary', contentType: 'application/pdf', data: SAMPLE_FILES.png.toString('base64') } }), 422);
    expectOutcome(await t.fhir('POST', 'Binary', { body: { resourceType: 'Binary', contentType: 'text/html', data: SAMPLE_FILES.html.toString('base64') } }), 415);
    const big = Buffer.concat([SAMPLE_FILES.pdf, Buffer.alloc(1024 * 1024 + 1, 0x20)]);
    const tooLarge = await upload('application/pdf', big);
    expectOutcome(tooLarge, 413);
    expect(tooLarge.body.issue[0].diagnostics).toMatch(/limit of 1048576 bytes/);
    // Files go to Binary only.
    expectOutcome(await t.fhir('POST', 'DocumentReference', { body: SAMPLE_FILES.pdf, headers: { 'content-type': 'application/pdf' } }), 415);
    // Nothing of these was stored.
    const count = await t.fhir('GET', 'Binary?_summary=count');
    expect(count.body.total).toBe(7);
  });

  it('is listed in the CapabilityStatement with its rules', async () => {
    const binary = (await t.fhir('GET', 'metadata')).body.rest[0].resource.find((r: any) => r.type === 'Binary');
    expect(binary.documentation).toMatch(/application\/pdf/);
    expect(binary.documentation).toMatch(/X-Security-Context/);
  });
});
