/**
 * The demo's backend client (client credentials, `system/*.*`), for browser tests that need data
 * the demo does not have (a deceased patient, a patient with "no known allergies"). Writes go
 * through the public FHIR API like any other client's.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Resource } from '@medplum/fhirtypes';
import type { DemoServer } from './browser-fixture.ts';

export class ApiClient {
  private constructor(
    private readonly origin: string,
    private readonly token: string,
  ) {}

  static async forDemo(server: DemoServer): Promise<ApiClient> {
    const saved = JSON.parse(await readFile(join(server.loc.dataDir, 'demo-credentials.json'), 'utf8')) as { clientId: string; clientSecret: string };
    const response = await fetch(`${server.origin}/oauth2/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: saved.clientId, client_secret: saved.clientSecret, scope: 'system/*.*' }),
    });
    if (!response.ok) throw new Error(`token: ${response.status} ${await response.text()}`);
    return new ApiClient(server.origin, ((await response.json()) as { access_token: string }).access_token);
  }

  async put<T extends Resource & { id: string }>(resource: T): Promise<T> {
    return this.request<T>('PUT', `${resource.resourceType}/${resource.id}`, resource);
  }

  async get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.origin}/fhir/R4/${path}`, {
      method,
      headers: { authorization: `Bearer ${this.token}`, accept: 'application/fhir+json', ...(body ? { 'content-type': 'application/fhir+json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return JSON.parse(text) as T;
  }
}
