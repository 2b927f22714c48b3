/**
 * The Questionnaire a response answers, by its canonical (`url` or `url|version`), from the
 * practice's own Questionnaires: scoring is only as trustworthy as the definition, so it is never
 * fetched from elsewhere.
 */
import type { Questionnaire } from '@medplum/fhirtypes';
import { parseSearch } from '../../fhir/search/parse.ts';
import type { StoreReader } from '../../store/store.ts';

export async function findQuestionnaire(store: StoreReader, canonical: string): Promise<Questionnaire | undefined> {
  const [url, version] = canonical.split('|');
  const query = new URLSearchParams({ url: url! });
  if (version) query.set('version', version);
  // The newest first, when several versions share the URL and none was asked for.
  query.set('_sort', '-_lastUpdated');
  const { request } = parseSearch(['Questionnaire'], query, { strict: true, defaultCount: 1, maxCount: 1 });
  const page = await store.search({ ...request, total: 'none' });
  return page.resources[0] as Questionnaire | undefined;
}
