/**
 * The open record's messages for the portal (docs/portal.md#messages): one search of the record's
 * Communications with their senders, grouped into threads, kept live over the websocket channel
 * (a Subscription to `Communication`, told only of this person's own record), and which threads
 * this person has looked at since their last news (kept in this browser).
 */
import type { Communication, Resource } from '@medplum/fhirtypes';
import { useCallback, useMemo, useState } from 'react';
import { useUser } from '../../../auth/auth-context.tsx';
import { useSearch } from '../../../fhir/queries.ts';
import { useLiveSubscriptions } from '../../../fhir/use-live-subscriptions.ts';
import { threadsOf } from '../../../messages/threads.ts';

/** Enough for years of a patient's messages; older ones beyond it are not listed. */
const MESSAGES_READ = 200;
/**
 * Under the server's 12 hours for a patient's Subscription (subscription-rule.ts), so a browser
 * clock a little ahead of the server's is not refused.
 */
const SUBSCRIPTION_HOURS = 11;
const LIVE = { criteria: ['Communication'], types: ['Communication'], reason: 'Heron portal: new messages', hours: SUBSCRIPTION_HOURS } as const;

export function usePortalMessages(patientId: string | undefined) {
  const query = useSearch<Communication>('Communication', { subject: `Patient/${patientId}`, _sort: '-sent', _count: MESSAGES_READ, _include: 'Communication:sender' }, { enabled: patientId !== undefined });
  const live = useLiveSubscriptions({ ...LIVE, criteria: patientId === undefined ? undefined : LIVE.criteria });
  const { threads, people } = useMemo(() => {
    const entries = query.data?.entry ?? [];
    const messages = entries.filter((e) => e.search?.mode !== 'include' && e.resource?.resourceType === 'Communication').map((e) => e.resource as Communication);
    const people = new Map<string, Resource>();
    for (const e of entries) if (e.resource?.id) people.set(`${e.resource.resourceType}/${e.resource.id}`, e.resource);
    return { threads: threadsOf(messages), people };
  }, [query.data]);
  return { query, threads, people, live };
}

const SEEN_PREFIX = 'heron.messages.seen';

/**
 * When this person last saw each thread (the `sent` of its newest message then), in this browser:
 * what makes a thread "new" in the list. Per user and record, so a proxy's and a patient's never mix.
 */
export function useSeenThreads(patientId: string | undefined) {
  const user = useUser();
  const key = `${SEEN_PREFIX}.${user.id}.${patientId ?? ''}`;
  const read = useCallback((): Record<string, string> => {
    try {
      return JSON.parse(window.localStorage.getItem(key) ?? '{}') as Record<string, string>;
    } catch {
      return {};
    }
  }, [key]);
  const [seen, setSeen] = useState(read);
  const markSeen = useCallback(
    (threadId: string, at: string | undefined) => {
      if (at === undefined) return;
      const now = read();
      if (now[threadId] !== undefined && now[threadId] >= at) return;
      const next = { ...now, [threadId]: at };
      window.localStorage.setItem(key, JSON.stringify(next));
      setSeen(next);
    },
    [key, read],
  );
  return { seen, markSeen };
}
