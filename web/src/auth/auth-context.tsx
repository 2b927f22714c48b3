import { createContext, useContext, useEffect, useMemo, useSyncExternalStore, type ReactNode } from 'react';
import { DraftStore } from './draft-store.ts';
import type { ServerConfig } from './server-config.ts';
import { Session, type SessionState, type SignedInUser } from './session.ts';
import { SmartClient } from './smart-client.ts';

export interface Auth {
  config: ServerConfig;
  client: SmartClient;
  session: Session;
}

const AuthContext = createContext<Auth | undefined>(undefined);

/** Creates the session for this tab and drives its clock: activity listeners and a one-second tick. */
export function AuthProvider({ config, children }: { config: ServerConfig; children: ReactNode }) {
  const auth = useMemo<Auth>(() => {
    const client = new SmartClient(config);
    const session = new Session({
      storage: window.sessionStorage,
      refresh: (clientId, token) => client.refresh(clientId, token),
      revoke: (clientId, token) => client.revoke(clientId, token),
    });
    return { config, client, session };
  }, [config]);

  useEffect(() => {
    // Drafts older than their limit are dropped once per page load, whoever wrote them.
    new DraftStore(window.localStorage).sweep();
    const active = () => auth.session.noteActivity();
    window.addEventListener('keydown', active, { capture: true, passive: true });
    window.addEventListener('pointerdown', active, { capture: true, passive: true });
    const timer = window.setInterval(() => auth.session.tick(), 1000);
    return () => {
      window.removeEventListener('keydown', active, { capture: true });
      window.removeEventListener('pointerdown', active, { capture: true });
      window.clearInterval(timer);
    };
  }, [auth]);

  return <AuthContext.Provider value={auth}>{children}</AuthContext.Provider>;
}

export function useAuth(): Auth {
  const auth = useContext(AuthContext);
  if (!auth) throw new Error('useAuth outside AuthProvider');
  return auth;
}

export function useSessionState(): SessionState {
  const { session } = useAuth();
  return useSyncExternalStore(session.subscribe, session.getState);
}

/** The signed-in user; only inside the signed-in part of the app (the shell). */
export function useUser(): SignedInUser {
  const state = useSessionState();
  if (state.status !== 'signed-in') throw new Error('useUser while signed out');
  return state.user;
}
