import { format } from 'date-fns';
import { ButtonLink, Panel } from '../../design/index.ts';
import { UnreviewedAccessPanel } from './emergency-access/unreviewed-panel.tsx';
import { PendingInvitations } from './people/pending-invitations.tsx';

/**
 * The practice administrator's home: what waits for them (unreviewed emergency accesses, pending
 * invitations) first, then the way into each area. Each area adds its own panel here.
 */
export function AdminHome() {
  return (
    <div className="screen">
      <div className="screen-header">
        <h1>Practice administration</h1>
        <p className="muted">{format(new Date(), 'EEEE d MMMM yyyy')} · Practice administrator</p>
      </div>
      <div className="admin-home-grid">
        <UnreviewedAccessPanel />
        <PendingInvitations />
        <Panel title="People and apps" level={2}>
          <p>Accounts, roles and second factors; the apps and services registered for the practice.</p>
          <div className="admin-actions">
            <ButtonLink href="/administration/people">Manage people</ButtonLink>
            <ButtonLink href="/administration/apps">Manage apps</ButtonLink>
          </div>
        </Panel>
        <Panel title="Privacy" level={2}>
          <p>Who opened which record, when and why; print a patient's accounting of disclosures.</p>
          <ButtonLink href="/administration/audit">Open the audit trail</ButtonLink>
        </Panel>
        <Panel title="Practice" level={2}>
          <p>Name and address on printouts, visit types, results release, patient self-scheduling, time-out.</p>
          <ButtonLink href="/administration/settings">Practice settings</ButtonLink>
        </Panel>
      </div>
    </div>
  );
}
