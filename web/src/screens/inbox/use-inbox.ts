/**
 * The inbox's data, shared by the top bar's badge, the home screen's counts and the inbox screen
 * (one cache: the same query keys), and its live updates: Subscriptions on the inbox's Tasks and
 * Communications, delivered over the websocket channel, refetch them when something changes.
 */
import type { Bundle, CareTeam, Communication, Subscription, Task } from '@medplum/fhirtypes';
import { useQueryClient, type UseQueryResult } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';
import { useAuth, useUser } from '../../auth/auth-context.tsx';
import { fhirBase } from '../../auth/server-config.ts';
import { useFhir } from '../../fhir/fhir-context.tsx';
import { matches, useSearch } from '../../fhir/queries.ts';
import { inboxCounts, inboxCriteria, inboxItems, inboxSearches, poolsOf, type InboxCounts, type InboxItem } from '../../inbox/inbox-items.ts';
import { SubscriptionChannel, type ChannelState } from '../../inbox/subscription-channel.ts';

/**
 * Subscriptions the app makes end after the longest session. They are shared: a tab finds one
 * with its criteria that still has an hour to run before making one, so a user's Subscriptions
 * stay few however often the app is opened (binding one gives only what the binder may see, so
 * sharing is safe).
 */
const SUBSCRIPTION_HOURS = 12;
const REUSE_IF_HOURS_LEFT = 1;

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
  items: InboxItem[];
  counts: InboxCounts;
}

export function useInbox(): InboxData {
  const owners = useInboxOwners();
  const searches = inboxSearches(owners.owners);
  const tasks = useSearch<Task>('Task', searches.tasks, { enabled: owners.ready });
  const messages = useSearch<Communication>('Communication', searches.messages, { enabled: owners.ready });
  const items = useMemo(() => inboxItems(tasks.data as Bundle | undefined, messages.data as Bundle | undefined), [tasks.data, messages.data]);
  return { owners, tasks, messages, items, counts: useMemo(() => inboxCounts(items), [items]) };
}

/** Keeps the inbox current: a ping from the server refetches it. Returns the channel's state. */
export function useLiveInbox(owners: InboxOwners): ChannelState {
  const fhir = useFhir();
  const { config, session } = useAuth();
  const queryClient = useQueryClient();
  const [state, setState] = useState<ChannelState>('connecting');
  /** Bumped when the server stops delivering one of them: find or make them again. */
  const [generation, setGeneration] = useState(0);
  const key = owners.ready ? owners.owners.join(',') : '';

  useEffect(() => {
    if (key === '') return;
    let stopped = false;
    let channel: SubscriptionChannel | undefined;
    let unsubscribe: (() => void) | undefined;
    const made: Subscription[] = [];
    // Nothing here is the user's doing, so nothing here may refresh the token (which counts as
    // activity and would keep an idle session alive): with no fresh token, the inbox is only
    // marked stale, and refetched once the session has a fresh token again (after activity).
    let missed = false;
    const refresh = () => {
      const fresh = session.hasFreshAccessToken();
      missed ||= !fresh;
      for (const type of ['Task', 'Communication']) void queryClient.invalidateQueries({ queryKey: ['fhir', type], refetchType: fresh ? 'active' : 'none' });
    };
    const onSession = () => {
      if (!session.hasFreshAccessToken()) return;
      if (missed) {
        missed = false;
        refresh();
      }
      channel?.tokenChanged();
      for (const resume of waiting.splice(0)) resume();
    };
    const waiting: Array<() => void> = [];
    /** Resolves when a request would not refresh the token (at once, or after the user's next activity). */
    const whenFresh = (): Promise<void> => (session.hasFreshAccessToken() ? Promise.resolve() : new Promise((resolve) => waiting.push(resolve)));
    unsubscribe = session.subscribe(onSession);
    void (async () => {
      for (const criteria of inboxCriteria(key.split(','))) made.push(await findOrCreate(criteria));
      if (stopped) return;
      channel = new SubscriptionChannel({
        url: `${fhirBase(config).replace(/^http/, 'ws')}/$websocket`,
        token: () => session.currentAccessToken(),
        subscriptionIds: made.map((s) => s.id!),
        onPing: refresh,
        onResync: refresh,
        onUnbound: () => setGeneration((g) => g + 1),
        onState: setState,
      });
      channel.start();
    })().catch(() => setState('offline'));
    async function findOrCreate(criteria: string): Promise<Subscription> {
      await whenFresh();
      const found = await fhir.search<Subscription>('Subscription', { 'criteria:exact': criteria, status: 'active', type: 'websocket', _count: 20 });
      const soon = Date.now() + REUSE_IF_HOURS_LEFT * 3_600_000;
      // Checked here too: the search narrows, this decides.
      const usable = matches(found).find((s) => s.criteria === criteria && s.status === 'active' && s.channel?.type === 'websocket' && s.end !== undefined && Date.parse(s.end) > soon);
      if (usable) return usable;
      const end = new Date(Date.now() + SUBSCRIPTION_HOURS * 3_600_000).toISOString();
      await whenFresh();
      return fhir.create<Subscription>({ resourceType: 'Subscription', status: 'requested', reason: 'Heron inbox: live updates', criteria, end, channel: { type: 'websocket' } });
    }
    return () => {
      stopped = true;
      unsubscribe?.();
      channel?.stop();
    };
  }, [key, generation, fhir, config, session, queryClient]);

  return state;
}
