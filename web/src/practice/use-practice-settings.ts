import type { Organization } from '@medplum/fhirtypes';
import { useMemo } from 'react';
import { useUser } from '../auth/auth-context.tsx';
import { matches, useSearch } from '../fhir/queries.ts';
import { letterheadFrom, PRACTICE_SEARCH, settingsFrom } from './practice-settings.ts';

/**
 * The practice's details and settings, for every screen that acts on them (printouts, the
 * schedule, the portal): one search of the practice's own Organization, cached by TanStack Query
 * and refetched after the settings page saves it. While it loads, or if it cannot be read, the
 * defaults apply and printouts carry the practice's name from sign-in.
 */
export function usePracticeSettings() {
  const user = useUser();
  const query = useSearch<Organization>('Organization', PRACTICE_SEARCH);
  const organization = matches(query.data)[0];
  const derived = useMemo(() => ({ settings: settingsFrom(organization), letterhead: letterheadFrom(organization, user.practice) }), [organization, user.practice]);
  return { query, organization, ...derived };
}
