import { Outlet } from 'react-router';
import { useSessionState } from './auth-context.tsx';
import { IdleWarning } from './idle-warning.tsx';
import { SignInScreen } from './sign-in-screen.tsx';

/**
 * Signed in: the app; signed out: the sign-in screen in place, so the address is kept for after
 * sign-in. Patients and proxies are sent to the portal by the clinician shell (docs/web.md#portal).
 */
export function RequireSession() {
  const state = useSessionState();
  if (state.status === 'signed-out') return <SignInScreen reason={state.reason} />;
  return (
    <>
      <Outlet />
      <IdleWarning />
    </>
  );
}
