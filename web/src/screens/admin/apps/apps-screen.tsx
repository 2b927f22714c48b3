import { useState, type ReactNode } from 'react';
import type { AdminApp } from '../../../admin-api/admin-views.ts';
import { useAuth } from '../../../auth/auth-context.tsx';
import { decodeJwtPayload } from '../../../auth/session.ts';
import { Badge, Button, Dialog, EmptyState, ErrorState, Panel } from '../../../design/index.ts';
import { dateText } from '../../../fhir-format/values.ts';
import { errorAdvice, errorMessage } from '../../../fhir/fhir-client.ts';
import { QueryView } from '../../../fhir/query-view.tsx';
import { DialogActions } from '../dialog-actions.tsx';
import { FactsList } from '../facts-list.tsx';
import { PageButtons, usePages } from '../page-buttons.tsx';
import { useAppPage, useDisableApp } from './apps-queries.ts';
import { RegisterAppDialog } from './register-app-dialog.tsx';

const AUTH_WORDS: Record<AdminApp['token_endpoint_auth_method'], string> = {
  none: 'Public: no secret (PKCE only)',
  client_secret_basic: 'Confidential: client secret',
  private_key_jwt: 'Confidential: public keys (private_key_jwt)',
};

/**
 * `/administration/apps`: the SMART apps and backend services registered for the practice, each
 * with what it may ask for, how it proves itself and when it was last given a token; registering
 * one (its secret shown once) and disabling one.
 */
export function AppsScreen() {
  const pages = usePages();
  const [registering, setRegistering] = useState(false);
  const [disabling, setDisabling] = useState<AdminApp | undefined>();
  const page = useAppPage(pages.cursor);
  const { session } = useAuth();
  const token = session.currentAccessToken();
  // The server refuses to disable the app the administrator is signed in through; say so instead of offering it.
  const ownClient = token ? String(decodeJwtPayload(token).client_id ?? '') : '';
  return (
    <div className="screen">
      <div className="screen-header admin-screen-header">
        <div>
          <h1>Apps</h1>
          <p className="muted">SMART apps people sign in to, and backend services that connect on their own.</p>
        </div>
        <Button variant="primary" onPress={() => setRegistering(true)}>
          Register an app
        </Button>
      </div>
      <QueryView query={page} what="apps" isEmpty={(p) => p.apps.length === 0 && pages.page === 1} empty={<EmptyState title="No apps are registered for the practice." />}>
        {(p) => (
          <>
            <div className="admin-app-list">
              {p.apps.map((app) => (
                <AppCard key={app.client_id} app={app} signedInThrough={app.client_id === ownClient} onDisable={() => setDisabling(app)} />
              ))}
            </div>
            {(p.next !== undefined || pages.page > 1) && <PageButtons pages={pages} next={p.next} />}
          </>
        )}
      </QueryView>
      <RegisterAppDialog isOpen={registering} onClose={() => setRegistering(false)} />
      {disabling && <DisableAppDialog app={disabling} onClose={() => setDisabling(undefined)} />}
    </div>
  );
}

function AppCard({ app, signedInThrough, onDisable }: { app: AdminApp; signedInThrough: boolean; onDisable: () => void }) {
  const facts: [string, ReactNode][] = [
    ['Kind', app.kind === 'app' ? 'App people sign in to' : 'Backend service'],
    ['Client id', <code key="id">{app.client_id}</code>],
    ['Authentication', AUTH_WORDS[app.token_endpoint_auth_method]],
    ['Scopes', <code key="scope">{app.scope}</code>],
    ...(app.redirect_uris ? [['Redirect URIs', <span key="uris">{app.redirect_uris.map((u) => <code key={u} className="admin-uri">{u}</code>)}</span>] as [string, ReactNode]] : []),
    ...(app.jwks_url ? [['Key set URL', <code key="jwks">{app.jwks_url}</code>] as [string, ReactNode]] : []),
    ['Last used', app.last_used_at ? dateText(app.last_used_at, true) : 'Never'],
    ['Registered', dateText(app.created_at, true)],
    ...(app.disabled_at ? [['Disabled', dateText(app.disabled_at, true)] as [string, ReactNode]] : []),
  ];
  return (
    <Panel
      title={app.name}
      actions={
        <span className="admin-actions">
          <Badge tone={app.status === 'active' ? 'success' : 'neutral'}>{app.status === 'active' ? 'Active' : 'Disabled'}</Badge>
          {signedInThrough && <span className="muted">You are signed in through this app</span>}
          {app.status === 'active' && !signedInThrough && (
            <Button size="sm" variant="danger" onPress={onDisable} aria-label={`Disable ${app.name}`}>
              Disable
            </Button>
          )}
        </span>
      }
    >
      <FactsList facts={facts} />
    </Panel>
  );
}

function DisableAppDialog({ app, onClose }: { app: AdminApp; onClose: () => void }) {
  const disable = useDisableApp();
  return (
    <Dialog
      title={`Disable ${app.name}?`}
      role="alertdialog"
      isOpen
      onOpenChange={(open) => !open && onClose()}
      actions={<DialogActions done={false} onClose={onClose} onConfirm={() => disable.mutate(app.client_id, { onSuccess: onClose })} label={`Disable ${app.kind === 'app' ? 'app' : 'service'}`} pending={disable.isPending} danger />}
    >
      <p>
        It gets no more tokens, and every token it holds{app.kind === 'app' ? ' — and those of everyone signed in through it —' : ''} stops working now. This cannot be undone: to use it again, register it again.
      </p>
      {disable.isError && <ErrorState title="The app was not disabled" message={errorMessage(disable.error)} advice={errorAdvice(disable.error)} />}
    </Dialog>
  );
}
