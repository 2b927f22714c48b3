/**
 * For the chart-list browser tests: the FHIR API (and the admin API) called from inside the signed-in page with the
 * page's own token (as another app or a colleague would change a record meanwhile), and a fresh
 * patient per test file so the lists start empty.
 */
import type { Patient, Resource } from '@medplum/fhirtypes';
import type { Page } from 'playwright-core';

export interface ApiAnswer<T> {
  status: number;
  body: T;
}

/** A FHIR request with the session's access token (sessionStorage `heron.session`). */
export function api<T = Resource>(page: Page, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiAnswer<T>> {
  return sessionRequest<T>(page, method, `/fhir/R4/${path}`, 'application/fhir+json', body, headers);
}

/** An admin API request (`/admin/v1/…`) with the session's access token; only a practice administrator's is accepted. */
export function adminApi<T = unknown>(page: Page, method: string, path: string, body?: unknown): Promise<ApiAnswer<T>> {
  return sessionRequest<T>(page, method, `/admin/v1${path}`, 'application/json', body, {});
}

async function sessionRequest<T>(page: Page, method: string, path: string, mediaType: string, body: unknown, headers: Record<string, string>): Promise<ApiAnswer<T>> {
  return page.evaluate(
    async ({ method, path, mediaType, body, headers }) => {
      // Runs in the page; this file is type-checked without the DOM library.
      const page = globalThis as unknown as { sessionStorage: { getItem(key: string): string | null }; location: { origin: string } };
      const stored = JSON.parse(page.sessionStorage.getItem('heron.session') ?? '{}') as { tokens?: { accessToken?: string } };
      const response = await fetch(`${page.location.origin}${path}`, {
        method,
        headers: { accept: mediaType, authorization: `Bearer ${stored.tokens?.accessToken ?? ''}`, ...(body !== undefined ? { 'content-type': mediaType } : {}), ...headers },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await response.text();
      return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
    },
    { method, path, mediaType, body, headers },
  );
}

/** A new patient with an MRN, for a test's own lists. */
export async function createPatient(page: Page, family: string, given: string, mrnValue: string): Promise<Patient> {
  const created = await api<Patient>(page, 'POST', 'Patient', {
    resourceType: 'Patient',
    identifier: [{ type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MR' }] }, system: 'urn:heron:test:mrn', value: mrnValue }],
    name: [{ family, given: [given] }],
    gender: 'female',
    birthDate: '1961-04-09',
  });
  if (created.status !== 201) throw new Error(`Creating a patient answered ${created.status}: ${JSON.stringify(created.body)}`);
  return created.body;
}

/** The element that has focus: its role and accessible name's start, for keyboard-only steps. */
export async function focusedRole(page: Page): Promise<string | null> {
  return page.evaluate<string | null>("document.activeElement && (document.activeElement.getAttribute('role') || document.activeElement.tagName.toLowerCase())");
}
