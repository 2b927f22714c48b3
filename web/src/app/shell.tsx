import { useMemo, useRef, useState } from 'react';
import { Link, Navigate, NavLink, Outlet } from 'react-router';
import { useUser } from '../auth/auth-context.tsx';
import { PatientSearchBox } from '../screens/patient-search/patient-search-box.tsx';
import { InboxLink } from '../screens/inbox/inbox-link.tsx';
import { ShortcutsDialog } from './shortcuts-dialog.tsx';
import { useSingleKeyShortcuts } from './shortcuts.ts';
import { isPatientFacing } from './roles.ts';
import { SignedInProviders } from './signed-in-providers.tsx';
import { UserMenu } from './user-menu.tsx';
import { HeronWordmark } from './wordmark.tsx';

/**
 * The frame of every signed-in screen at 1366×768: skip link, a top bar that stays put (wordmark,
 * the global "Find a patient" box, the user menu), and the screen in `<main>`.
 */
export function Shell() {
  const user = useUser();
  const [shortcutsOpen, setShortcutsOpen] = useState(false);
  const searchRef = useRef<HTMLInputElement>(null);
  const handlers = useMemo(
    () => ({
      '?': () => setShortcutsOpen(true),
      '/': () => searchRef.current?.focus(),
    }),
    [],
  );
  useSingleKeyShortcuts(handlers);
  // Patients and proxies have the portal; no clinician screen is offered to them, at any address.
  if (isPatientFacing(user.role)) return <Navigate to="/portal" replace />;

  return (
    <SignedInProviders>
      <header className="topbar">
        <Link to="/" className="topbar-home" aria-label="Heron home">
          <HeronWordmark onDark />
        </Link>
        <div className="topbar-search">
          <PatientSearchBox inputRef={searchRef} />
        </div>
        <nav className="topbar-nav" aria-label="Main">
          <NavLink to="/schedule" className="topbar-link">
            Schedule
          </NavLink>
          {user.role === 'practice-admin' && (
            <NavLink to="/administration" className="topbar-link">
              Administration
            </NavLink>
          )}
        </nav>
        <InboxLink />
        <UserMenu onShowShortcuts={() => setShortcutsOpen(true)} />
      </header>
      <main id="main" tabIndex={-1} className="app-main">
        <Outlet />
      </main>
      <ShortcutsDialog isOpen={shortcutsOpen} onOpenChange={setShortcutsOpen} />
    </SignedInProviders>
  );
}
