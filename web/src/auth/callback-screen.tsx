import { useEffect, useRef, useState } from 'react';
import { useNavigate } from 'react-router';
import { ButtonLink, ErrorState, LoadingSkeleton } from '../design/index.ts';
import { useAuth } from './auth-context.tsx';
import { SignInError } from './smart-client.ts';

/** `/auth/callback`: where Heron's sign-in returns with a code; exchanges it and opens the app. */
export function CallbackScreen() {
  const { client, session } = useAuth();
  const navigate = useNavigate();
  const [error, setError] = useState<string>();
  // The exchange must run once: a code works once, and StrictMode runs effects twice in development.
  const started = useRef(false);

  useEffect(() => {
    if (started.current) return;
    started.current = true;
    client
      .completeSignIn(new URL(window.location.href))
      .then((result) => {
        session.start(result.tokens, result.clientId, result.practice);
        void navigate(result.returnTo.startsWith('/') && !result.returnTo.startsWith('/auth/') ? result.returnTo : '/', { replace: true });
      })
      .catch((e: unknown) => setError(e instanceof SignInError || e instanceof Error ? e.message : String(e)));
  }, [client, session, navigate]);

  return (
    <main className="signed-out-page">
      <div className="sign-in-card">
        <h1>{error ? 'Not signed in' : 'Signing you in…'}</h1>
        {error ? (
          <>
            <ErrorState title="Sign-in did not complete" message={error} advice="Start again from the sign-in button." />
            <ButtonLink variant="primary" href="/">
              Back to sign-in
            </ButtonLink>
          </>
        ) : (
          <LoadingSkeleton lines={2} label="Signing in" />
        )}
      </div>
    </main>
  );
}
