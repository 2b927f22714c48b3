/**
 * The inbox's data, shared by the top bar's badge, the home screen's counts and the inbox screen
 * (one cache: the same query keys), and its live updates: Subscriptions on the inbox's Tasks and
 * Communications, delivered over the websocket channel, refetch them when something changes.
 */
import type { Bundle, CareTeam, Communication, Task } from '@medplum/fhirtypes';
import type { UseQueryResult } from '@tanstack/react-query';
import { useMemo } from 'react';
import { useUser } from '../../auth/auth-context.tsx';
import { matches, useSearch } from '../../fhir/queries.ts';
import { useLiveSubscriptions } from '../../fhir/use-live-subscriptions.ts';
import { inboxCounts, inboxCriteria, inboxItems, inboxSearches, poolsOf, type InboxCounts, type InboxItem } from '../../inbox/inbox-items.ts';
import type { ChannelState } from '../../inbox/subscription-channel.ts';

/** The inbox's Subscriptions end after the longest session (shared, use-live-subscriptions.ts). */
const SUBSCRIPTION_HOURS = 12;
const INBOX_TYPES = ['Task', 'Communication'];

export interface InboxOwners {
  /** `Practitioner/…` of the signed-in user; undefined for users without an inbox. */
  me?: string;
  pools: CareTeam[];
  /** Everyone whose items are listed: the user, then their pools. */
  owners: string[];
  ready: boolean;
}

/** Whose inbox this is: the user (their Practitioner) and the pools (CareTeams without a patient) they belong to. */
export function useInboxOwners(): InboxOwners {
  const user = useUser();
  const me = user.fhirUser?.startsWith('Practitioner/') ? user.fhirUser : undefined;
  const groups = useSearch<CareTeam>('CareTeam', { participant: me, status: 'active', 'subject:missing': 'true', _count: 50 }, { enabled: me !== undefined });
  return useMemo(() => {
    const pools = me === undefined ? [] : poolsOf(matches(groups.data), me);
    return { ...(me ? { me } : {}), pools, owners: me === undefined ? [] : [me, ...pools.map((g) => `CareTeam/${g.id}`)], ready: me !== undefined && groups.isSuccess };
  }, [me, groups.data, groups.isSuccess]);
}

export interface InboxData {
  owners: InboxOwners;
  tasks: UseQueryResult<Bundle<Task>>;
  messages: UseQueryResult<Bundle<Communication>>;
  corrections: UseQueryResult<Bundle<Task>>;
  items: InboxItem[];
  counts: InboxCounts;
}

export function useInbox(): InboxData {
  const owners = useInboxOwners();
  const searches = inboxSearches(owners.owners);
  const tasks = useSearch<Task>('Task', searches.tasks, { enabled: owners.ready });
  const messages = useSearch<Communication>('Communication', searches.messages, { enabled: owners.ready });
  const corrections = useSearch<Task>('Task', searches.corrections, { enabled: owners.ready });
  const items = useMemo(() => inboxItems(tasks.data as Bundle | undefined, messages.data as Bundle | undefined, corrections.data as Bundle | undefined), [tasks.data, messages.data, corrections.data]);
  return { owners, tasks, messages, corrections, items, counts: useMemo(() => inboxCounts(items), [items]) };
}

/** Keeps the inbox current: a ping from the server refetches it. Returns the channel's state. */
export function useLiveInbox(owners: InboxOwners): ChannelState {
  const criteria = useMemo(() => (owners.ready ? inboxCriteria(owners.owners) : undefined), [owners.ready, owners.owners]);
  return useLiveSubscriptions({ criteria, types: INBOX_TYPES, reason: 'Heron inbox: live updates', hours: SUBSCRIPTION_HOURS });
}
