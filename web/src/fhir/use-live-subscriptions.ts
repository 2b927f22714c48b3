/**
 * Live updates over Heron's websocket channel for FHIR Subscriptions (docs/subscriptions.md), for
 * any screen: find (or make) a Subscription for each criteria, bind them on one connection, and
 * refetch the screen's queries of the watched types on every ping and after every reconnect. Used
 * by the clinician inbox and the portal's Messages.
 */
import type { Subscription } from '@medplum/fhirtypes';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useAuth } from '../auth/auth-context.tsx';
import { fhirBase } from '../auth/server-config.ts';
import { SubscriptionChannel, type ChannelState } from '../inbox/subscription-channel.ts';
import { useFhir } from './fhir-context.tsx';
import { matches } from './queries.ts';

/** A Subscription found with less than this left is not reused (it would end during the session). */
const REUSE_IF_HOURS_LEFT = 1;

export interface LiveSubscriptions {
  /** The Subscriptions' criteria; undefined while not yet known (nothing is made or bound). */
  criteria: readonly string[] | undefined;
  /** The resource types whose queries (`['fhir', type]`) are refetched on a ping. */
  types: readonly string[];
  reason: string;
  /** How long a Subscription made here lasts. */
  hours: number;
}

/**
 * Subscriptions are shared: a tab finds an active one with exactly its criteria that still has an
 * hour to run before making one, so they stay few however often the app is opened (binding one
 * tells only what the binder may see, so sharing is safe). Returns the channel's state.
 */
export function useLiveSubscriptions({ criteria, types, reason, hours }: LiveSubscriptions): ChannelState {
  const fhir = useFhir();
  const { config, session } = useAuth();
  const queryClient = useQueryClient();
  const [state, setState] = useState<ChannelState>('connecting');
  /** Bumped when the server stops delivering one of them: find or make them again. */
  const [generation, setGeneration] = useState(0);
  const key = criteria === undefined ? '' : criteria.join('\n');
  const typesKey = types.join(',');

  useEffect(() => {
    if (key === '') return;
    let stopped = false;
    let channel: SubscriptionChannel | undefined;
    let unsubscribe: (() => void) | undefined;
    const made: Subscription[] = [];
    // Nothing here is the user's doing, so nothing here may refresh the token (which counts as
    // activity and would keep an idle session alive): with no fresh token, the screen is only
    // marked stale, and refetched once the session has a fresh token again (after activity).
    let missed = false;
    const refresh = () => {
      const fresh = session.hasFreshAccessToken();
      missed ||= !fresh;
      for (const type of typesKey.split(',')) void queryClient.invalidateQueries({ queryKey: ['fhir', type], refetchType: fresh ? 'active' : 'none' });
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
      for (const c of key.split('\n')) made.push(await findOrCreate(c));
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
    async function findOrCreate(c: string): Promise<Subscription> {
      await whenFresh();
      const found = await fhir.search<Subscription>('Subscription', { 'criteria:exact': c, status: 'active', type: 'websocket', _count: 20 });
      const soon = Date.now() + REUSE_IF_HOURS_LEFT * 3_600_000;
      // Checked here too: the search narrows, this decides.
      const usable = matches(found).find((s) => s.criteria === c && s.status === 'active' && s.channel?.type === 'websocket' && s.end !== undefined && Date.parse(s.end) > soon);
      if (usable) return usable;
      const end = new Date(Date.now() + hours * 3_600_000).toISOString();
      await whenFresh();
      return fhir.create<Subscription>({ resourceType: 'Subscription', status: 'requested', reason, criteria: c, end, channel: { type: 'websocket' } });
    }
    return () => {
      stopped = true;
      unsubscribe?.();
      channel?.stop();
    };
  }, [key, typesKey, reason, hours, generation, fhir, config, session, queryClient]);

  return state;
}
