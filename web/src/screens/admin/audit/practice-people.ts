import type { Bundle, HumanName, Patient, Practitioner, RelatedPerson } from '@medplum/fhirtypes';
import { useQuery, type UseQueryResult } from '@tanstack/react-query';
import { useAdmin } from '../../../admin-api/admin-context.tsx';
import { useFhir } from '../../../fhir/fhir-context.tsx';
import { givenFirst } from '../../../fhir-format/patient.ts';
import { matches } from '../../../fhir/queries.ts';

/** A practice account as the admin API lists it (docs/auth.md "Admin API"). */
export interface PracticeUser {
  id: string;
  email: string;
  role: string;
  status: string;
  fhir_user?: string;
}

export interface PracticePeople {
  users: PracticeUser[];
  /** A user id's name for people: the person their account is (Practitioner, Patient, RelatedPerson), else the e-mail. */
  names: Map<string, string>;
}

/** Pages of the admin API's user list (at most 200 each), and a practice has a few hundred accounts at most. */
const USER_PAGE = 200;
const MAX_PAGES = 10;
/** Ids per `_id` search: keeps the address short. */
const ID_CHUNK = 100;

/**
 * The practice's accounts with their names: who the audit trail's user ids are. Practice
 * administrators read accounts through the admin API and the people's names through FHIR
 * (directory and demographics; never clinical data).
 */
export function usePracticePeople(): UseQueryResult<PracticePeople> {
  const admin = useAdmin();
  const fhir = useFhir();
  return useQuery({
    queryKey: ['admin', 'users', 'with-names'],
    staleTime: 5 * 60_000,
    queryFn: async ({ signal }) => {
      const users: PracticeUser[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < MAX_PAGES; page++) {
        const answer = await admin.get<{ users: PracticeUser[]; next?: string }>('/users', { _count: USER_PAGE, _cursor: cursor }, signal);
        users.push(...answer.users);
        cursor = answer.next === undefined ? undefined : (new URL(answer.next).searchParams.get('_cursor') ?? undefined);
        if (cursor === undefined) break;
      }
      const names = new Map<string, string>();
      const byType = new Map<string, string[]>();
      for (const u of users) {
        const [type, id] = (u.fhir_user ?? '').split('/');
        if (id && (type === 'Practitioner' || type === 'Patient' || type === 'RelatedPerson')) byType.set(type, [...(byType.get(type) ?? []), id]);
      }
      const people = new Map<string, HumanName[] | undefined>();
      for (const [type, ids] of byType) {
        for (let i = 0; i < ids.length; i += ID_CHUNK) {
          const found = await fhir.search<Practitioner | Patient | RelatedPerson>(type as 'Practitioner', { _id: ids.slice(i, i + ID_CHUNK).join(','), _elements: 'name', _count: ID_CHUNK }, signal);
          for (const r of matches(found as Bundle<Practitioner>)) people.set(`${type}/${r.id}`, r.name);
        }
      }
      for (const u of users) {
        const recorded = u.fhir_user === undefined ? undefined : people.get(u.fhir_user);
        const name = recorded === undefined ? undefined : givenFirst(recorded);
        names.set(u.id, name ? `${name} (${u.email})` : u.email);
      }
      return { users, names };
    },
  });
}
