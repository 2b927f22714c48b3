import { describe, expect, it } from 'vitest';
import { createFhirClient, FhirApiError } from './fhir-client.ts';

function recorder(status = 200, body: unknown = { resourceType: 'Condition', id: 'c1' }, onRefused?: () => void) {
  const calls: Array<{ url: string; init: RequestInit }> = [];
  const fetch = (async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/fhir+json' } });
  }) as unknown as typeof globalThis.fetch;
  return { calls, client: createFhirClient({ base: 'https://ehr.example/fhir/R4', accessToken: async () => 't0k', fetch, ...(onRefused ? { onRefused } : {}) }) };
}

describe('FHIR client', () => {
  it('an update with the version read sends If-Match; without one it sends none', async () => {
    const { calls, client } = recorder();
    await client.update({ resourceType: 'Condition', id: 'c1', subject: { reference: 'Patient/p' } }, { ifMatch: '3' });
    await client.update({ resourceType: 'Condition', id: 'c1', subject: { reference: 'Patient/p' } });
    expect(calls[0]!.init.method).toBe('PUT');
    expect((calls[0]!.init.headers as Record<string, string>)['if-match']).toBe('W/"3"');
    expect((calls[1]!.init.headers as Record<string, string>)['if-match']).toBeUndefined();
  });

  it('an operation is a GET on the type with its parameters', async () => {
    const { calls, client } = recorder(200, { resourceType: 'ValueSet', status: 'active' });
    await client.operation('ValueSet', 'expand', { url: 'https://heron.dev/fhir/ValueSet/problems', filter: 'type 2 diab', count: 10 });
    expect(calls[0]!.url).toBe('https://ehr.example/fhir/R4/ValueSet/$expand?url=https%3A%2F%2Fheron.dev%2Ffhir%2FValueSet%2Fproblems&filter=type+2+diab&count=10');
    expect(calls[0]!.init.method).toBe('GET');
  });

  it('a 412 becomes an error with its status and the server’s words', async () => {
    const { client } = recorder(412, { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'conflict', diagnostics: 'Version 3 is not the current version (4).' }] });
    const failure = await client.update({ resourceType: 'Condition', id: 'c1', subject: { reference: 'Patient/p' } }, { ifMatch: '3' }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(FhirApiError);
    expect((failure as FhirApiError).status).toBe(412);
    expect((failure as FhirApiError).message).toBe('Version 3 is not the current version (4).');
  });

  it('a 401 tells the session its token was refused; other failures do not', async () => {
    let refused = 0;
    const outcome = { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'login', diagnostics: 'The token is not valid' }] };
    await recorder(401, outcome, () => refused++).client.read('Condition', 'c1').catch(() => undefined);
    expect(refused).toBe(1);
    await recorder(403, outcome, () => refused++).client.read('Condition', 'c1').catch(() => undefined);
    expect(refused).toBe(1);
  });
});
