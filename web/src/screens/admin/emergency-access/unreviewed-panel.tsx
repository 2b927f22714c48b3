import { ButtonLink, LoadingSkeleton, Panel } from '../../../design/index.ts';
import { errorMessage } from '../../../fhir/fhir-client.ts';
import { useUnreviewedCount } from './emergency-access-data.ts';
import './emergency-access.css';

/** The administrator's home: how many emergency accesses wait for review, first thing they see. */
export function UnreviewedAccessPanel() {
  const count = useUnreviewedCount();
  return (
    <Panel title="Emergency access" level={2}>
      {count.isPending ? (
        <LoadingSkeleton lines={1} label="Counting emergency accesses to review" />
      ) : count.isError ? (
        <p role="alert">Could not count emergency accesses: {errorMessage(count.error)}</p>
      ) : (
        <p className="admin-count">
          <strong>{count.data}</strong> {count.data === 1 ? 'emergency access waits' : 'emergency accesses wait'} for review.
        </p>
      )}
      <ButtonLink href="/administration/emergency-access" variant={count.data ? 'primary' : 'secondary'}>
        Review emergency access
      </ButtonLink>
    </Panel>
  );
}
