/**
 * The practice's own Organization: the one resource that names the practice (name, address,
 * phone, logo on printouts) and holds its settings. It carries the identifier
 * `https://heron.dev/fhir/NamingSystem/practice|<practice id>`, is created with the practice (and
 * by `heron serve` for a practice that predates it), and the write rule below keeps it single.
 */
import type { Identifier, Organization } from '@medplum/fhirtypes';
import { parseSearch } from '../../fhir/search/parse.ts';
import type { StoreReader } from '../../store/store.ts';

export const PRACTICE_IDENTIFIER_SYSTEM = 'https://heron.dev/fhir/NamingSystem/practice';

/** The search (`identifier=…`) that finds a practice's Organization: also the conditional create's. */
export function practiceOrganizationQuery(practiceId: string): URLSearchParams {
  return new URLSearchParams({ identifier: `${PRACTICE_IDENTIFIER_SYSTEM}|${practiceId}` });
}

export function practiceIdentifier(org: Organization): Identifier | undefined {
  return org.identifier?.find((i) => i.system === PRACTICE_IDENTIFIER_SYSTEM);
}

/** What a new practice starts with: its name, every setting at its default (absent). */
export function newPracticeOrganization(practice: { id: string; name: string }): Organization {
  return { resourceType: 'Organization', active: true, identifier: [{ system: PRACTICE_IDENTIFIER_SYSTEM, value: practice.id }], name: practice.name };
}

/** The practice's Organization as `reader` sees it (inside a transaction: with its writes), or undefined. */
export async function findPracticeOrganization(reader: StoreReader): Promise<Organization | undefined> {
  const { request } = parseSearch(['Organization'], practiceOrganizationQuery(reader.tenant), { strict: true, defaultCount: 2, maxCount: 2 });
  request.total = 'none';
  const page = await reader.search(request);
  return page.resources[0] as Organization | undefined;
}
