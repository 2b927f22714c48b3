import { useState } from 'react';
import { useLocation } from 'react-router';
import { Button, ErrorState, Select } from '../design/index.ts';
import { HeronWordmark } from '../app/wordmark.tsx';
import { useAuth } from './auth-context.tsx';
import { callbackUrl } from './server-config.ts';
import type { EndReason } from './session.ts';

const REASONS: Record<EndReason, string> = {
  idle: 'You were signed out after a period without activity. Anything you were typing is kept as a draft and offered again.',
  'signed-out': 'You have signed out.',
  refused: 'Your session has ended. Sign in again to continue; anything you were typing is kept as a draft.',
};

/** Before sign-in: which practice (when the server has several), and a button to Heron's sign-in page. */
export function SignInScreen({ reason }: { reason?: EndReason | undefined }) {
  const { config, client } = useAuth();
  const location = useLocation();
  const [practiceIndex, setPracticeIndex] = useState('0');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const canReturnHere = config.redirectUris.includes(callbackUrl());
  const practice = config.practices[Number(practiceIndex)];

  async function signIn() {
    if (!practice) return;
    setBusy(true);
    setError(undefined);
    try {
      await client.beginSignIn(practice, location.pathname + location.search);
    } catch (e) {
      setBusy(false);
      setError(e instanceof Error ? e.message : String(e));
    }
  }

  return (
    <div className="signed-out-page">
      <main className="sign-in-card" aria-labelledby="sign-in-title">
        <HeronWordmark />
        <h1 id="sign-in-title">Sign in to Heron</h1>
        {reason && (
          <p className="sign-in-reason" role="status">
            {REASONS[reason]}
          </p>
        )}
        {!canReturnHere ? (
          <ErrorState
            title="Sign-in is not set up for this address"
            message={`The server only accepts sign-ins that return to ${config.redirectUris.map((u) => new URL(u).origin).join(' or ')}.`}
            advice="Open Heron at that address, or ask the administrator to set HERON_PUBLIC_URL to this one."
          />
        ) : config.practices.length === 0 ? (
          <ErrorState title="No practice yet" message="This server has no practice to sign in to." advice="Create one with `heron practice create`, then reload." />
        ) : (
          <>
            {config.practices.length > 1 && (
              <Select label="Practice" options={config.practices.map((p, i) => ({ id: String(i), label: p.practice }))} selectedKey={practiceIndex} onSelectionChange={setPracticeIndex} />
            )}
            <p className="muted">You will enter your email and password on {config.practices.length > 1 ? 'the practice’s' : `${practice?.practice ?? 'the practice'}’s`} sign-in page.</p>
            <Button variant="primary" onPress={() => void signIn()} isDisabled={busy}>
              {busy ? 'Opening sign-in…' : 'Sign in'}
            </Button>
            {error && <ErrorState title="Could not open the sign-in page" message={error} advice="Check that the server is running, then try again." />}
          </>
        )}
      </main>
    </div>
  );
}
