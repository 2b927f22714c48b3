import { useEffect, useState } from 'react';
import { Button, Dialog } from '../design/index.ts';
import { useAuth, useSessionState } from './auth-context.tsx';

/** A minute before an idle session ends: "Stay signed in" or "Sign out now". */
export function IdleWarning() {
  const { session } = useAuth();
  const state = useSessionState();
  const warning = state.status === 'signed-in' && state.warning;
  const endsAt = state.status === 'signed-in' ? state.sessionEndsAt : 0;
  // Re-render every second while warning; the time is read at each render, so the count is right from the first one.
  const [, setTick] = useState(0);
  useEffect(() => {
    if (!warning) return;
    const timer = window.setInterval(() => setTick((t) => t + 1), 1000);
    return () => window.clearInterval(timer);
  }, [warning]);
  const seconds = Math.max(0, Math.round((endsAt - Date.now()) / 1000));
  return (
    <Dialog
      title="Are you still there?"
      role="alertdialog"
      isOpen={warning}
      onOpenChange={() => undefined}
      isDismissable={false}
      actions={
        <>
          <Button onPress={() => void session.signOut()}>Sign out now</Button>
          <Button variant="primary" autoFocus onPress={() => void session.staySignedIn().catch(() => undefined)}>
            Stay signed in
          </Button>
        </>
      }
    >
      <p>
        For privacy, you will be signed out in <strong>{seconds} seconds</strong> because nothing has happened for a while.
      </p>
      <p className="muted">Anything you were typing is kept as a draft and offered again when you sign back in.</p>
    </Dialog>
  );
}
