import { Outlet } from 'react-router';
import { Button, ErrorState } from '../design/index.ts';
import { useAuth, useSessionState } from './auth-context.tsx';
import { IdleWarning } from './idle-warning.tsx';
import { SignInScreen } from './sign-in-screen.tsx';

/** Signed in: the app; signed out: the sign-in screen in place, so the address is kept for after sign-in. */
export function RequireSession() {
  const state = useSessionState();
  if (state.status === 'signed-out') return <SignInScreen reason={state.reason} />;
  if (state.user.role === 'patient' || state.user.role === 'proxy') return <NotForPatients />;
  return (
    <>
      <Outlet />
      <IdleWarning />
    </>
  );
}

/** Patients and proxies have their own portal; this app is for practice staff. */
function NotForPatients() {
  const { session } = useAuth();
  return (
    <main className="signed-out-page">
      <div className="sign-in-card">
        <h1>This is the app for practice staff</h1>
        <ErrorState title="Your account is a patient account" message="Heron’s clinician app shows a practice’s records to its staff. Patients see their own record in the patient portal." advice="Sign out, and use the portal link your practice gave you." />
        <Button variant="primary" onPress={() => void session.signOut()}>
          Sign out
        </Button>
      </div>
    </main>
  );
}
