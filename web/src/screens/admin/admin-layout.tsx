import { Link, Outlet } from 'react-router';
import { AdminProvider } from '../../admin-api/admin-context.tsx';
import { SectionNav } from '../../app/section-nav.tsx';
import { useUser } from '../../auth/auth-context.tsx';
import { EmptyState } from '../../design/index.ts';
import './admin.css';

/** The administration's screens, in the order a practice administrator works through them. */
const SECTIONS = [
  { to: '/administration', label: 'Overview' },
  { to: '/administration/people', label: 'People', prefix: true },
  { to: '/administration/apps', label: 'Apps' },
  { to: '/administration/audit', label: 'Audit trail' },
  { to: '/administration/emergency-access', label: 'Emergency access' },
  { to: '/administration/restricted', label: 'Restricted records' },
  { to: '/administration/settings', label: 'Practice settings' },
] as const;

/**
 * Every administration route (`/administration/…`): the section tabs and the admin API client. Only a
 * practice administrator's token carries `heron/admin`, so the server refuses everyone else
 * whatever this page shows; the check here only spares other roles a screen of refusals.
 */
export function AdminLayout() {
  const user = useUser();
  if (user.role !== 'practice-admin') {
    return (
      <div className="screen">
        <h1>Practice administration</h1>
        <EmptyState title="This area is for practice administrators.">
          <p>
            Your account does not manage the practice. <Link to="/">Go to your home screen</Link>.
          </p>
        </EmptyState>
      </div>
    );
  }
  return (
    <AdminProvider>
      <div className="admin">
        <div className="admin-header">
          <SectionNav label="Administration sections" links={SECTIONS} />
        </div>
        <div className="admin-outlet">
          <Outlet />
        </div>
      </div>
    </AdminProvider>
  );
}
