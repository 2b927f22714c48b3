import type { UseQueryResult } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { EmptyState, ErrorState, LoadingSkeleton } from '../design/index.ts';
import { errorAdvice, errorMessage } from './fhir-client.ts';

export interface QueryViewProps<T> {
  query: UseQueryResult<T>;
  /** What is loading, for messages: "today's patients". */
  what: string;
  isEmpty?: (data: T) => boolean;
  /** Shown when `isEmpty`; says what the user can do. */
  empty?: ReactNode;
  skeletonLines?: number;
  children: (data: T) => ReactNode;
}

/** Every data view's four states: loading (and slow), error (readable, with a retry), empty, data. */
export function QueryView<T>({ query, what, isEmpty, empty, skeletonLines = 3, children }: QueryViewProps<T>) {
  if (query.isPending) return <LoadingSkeleton lines={skeletonLines} label={`Loading ${what}`} />;
  if (query.isError) return <ErrorState title={`Could not load ${what}`} message={errorMessage(query.error)} advice={errorAdvice(query.error)} onRetry={() => void query.refetch()} />;
  if (isEmpty?.(query.data)) return <>{empty ?? <EmptyState title={`No ${what}.`} />}</>;
  return <>{children(query.data)}</>;
}
