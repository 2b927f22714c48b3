import type { AuditEvent, Bundle, Communication, Parameters, Patient } from '@medplum/fhirtypes';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { auditEntryView, subtypeText, type AuditEntryView } from '../../../audit-trail/audit-entry.ts';
import { patientWhoText, whyText } from '../../../audit-trail/disclosures.ts';
import { useAuth, useUser } from '../../../auth/auth-context.tsx';
import { decodeJwtPayload } from '../../../auth/session.ts';
import { Link } from 'react-router';
import { Badge, Button, Dialog, EmptyState, ErrorState, LoadingSkeleton, Panel, TextField } from '../../../design/index.ts';
import { dateText } from '../../../fhir-format/values.ts';
import { errorAdvice, errorMessage } from '../../../fhir/fhir-client.ts';
import { useRead } from '../../../fhir/queries.ts';
import { isCareTeam } from '../../../messages/threads.ts';
import { paramText } from '../../../record-sharing/health-links.ts';
import { usePortalApi } from '../portal-api.ts';
import { RevokeDialog } from '../revoke-dialog.tsx';
import { usePortalPatientId } from '../portal-patient.ts';
import { linkOpened, type LinkView } from '../../../record-sharing/health-links.ts';
import { useHealthLinks } from '../share/health-links-query.ts';
import { scopeWords } from '../../../record-sharing/scope-words.ts';
// The cards, actions and emergency marking: the viewer is not the only screen that uses these styles, and its chunk is loaded only for it.
import '../portal-share.css';

/**
 * `/portal/privacy`: who has seen the patient's record (their accounting of disclosures, read
 * from the audit trail with their own token: docs/audit.md) with a way to ask the practice about
 * an access, and the apps they allowed into their record, each revocable.
 */
export function PrivacyScreen() {
  const patientId = usePortalPatientId();
  if (!patientId) return <div className="screen"><ErrorState title="No record to show" message="This account is not linked to a patient’s record." advice="Ask your practice to link your portal account to your record." /></div>;
  return (
    <div className="screen portal-screen">
      <div className="screen-header">
        <h1>Privacy</h1>
      </div>
      <AccessesPanel patientId={patientId} />
      <ConnectedAppsPanel />
      <Panel title="Correcting your record">
        <p>
          You have the right to ask the practice to correct your record. <Link to="/portal/corrections">Your correction requests</Link>
        </p>
      </Panel>
    </div>
  );
}

/** How many accesses are read: the newest first; older ones are in the practice's printed accounting. */
const ACCESS_PAGE = 100;
/** How many are shown at first, and added by each "Show more" (a long list is unreadable on a phone). */
const SHOWN_STEP = 20;

interface AccessLine {
  entry: AuditEntryView;
  who: string;
  what: string;
  why: string;
}

/** An entry in words; an opening of a shared link names the link (matched with the link's own list of openings). */
function accessLine(entry: AuditEntryView, links: readonly LinkView[]): AccessLine {
  if (entry.subtype === 'health-link-open') {
    const label = linkOpened(links, entry.agentId, entry.recorded);
    return {
      entry,
      who: 'Someone you shared your summary with, as they named themselves',
      what: entry.succeeded ? `Opened through your shared link${label ? ` ‘${label}’` : ''} by ${entry.agentId}` : `${entry.agentId} tried to open your shared link${label ? ` ‘${label}’` : ''} and was not let in`,
      why: 'You shared your summary',
    };
  }
  const what = `${subtypeText(entry.subtype)}${entry.entities.length ? ` ${[...new Set(entry.entities.map((e) => e.split('/')[0]))].join(', ')}` : ''}${entry.succeeded ? '' : ' (refused)'}`;
  return { entry, who: patientWhoText(entry), what, why: whyText(entry) };
}


function AccessesPanel({ patientId }: { patientId: string }) {
  const api = usePortalApi();
  const user = useUser();
  const [asking, setAsking] = useState<AccessLine | undefined>();
  const [shown, setShown] = useState(SHOWN_STEP);
  const links = useHealthLinks(patientId);
  const accesses = useQuery({
    queryKey: ['portal', 'accesses', patientId],
    queryFn: async () => {
      const bundle = await api.get<Bundle<AuditEvent>>(`AuditEvent?patient=Patient/${encodeURIComponent(patientId)}&_sort=-date&_count=${ACCESS_PAGE}`);
      // The person's own use of the portal is not a disclosure: leave it out.
      return (bundle.entry ?? []).flatMap((e) => (e.resource ? [auditEntryView(e.resource)] : [])).filter((v) => v.agentId !== user.id);
    },
  });
  const lines = accesses.data?.map((entry) => accessLine(entry, links.data ?? []));
  return (
    <Panel title="Who has seen my record">
      <p className="muted">Every time someone at the practice, an app or a person you shared a link with opened your record, newest first. Your own visits are not listed.</p>
      {accesses.isPending && <LoadingSkeleton label="Loading who has seen your record" />}
      {accesses.isError && <ErrorState title="Could not load who has seen your record" message={errorMessage(accesses.error)} advice={errorAdvice(accesses.error)} onRetry={() => void accesses.refetch()} />}
      {lines?.length === 0 && <EmptyState title="Nobody else has opened your record yet" />}
      <ul className="portal-cards" aria-label="Accesses to your record">
        {lines?.slice(0, shown).map((line) => (
          <li key={line.entry.id} className="portal-card" data-emergency={line.entry.emergency || undefined}>
            {line.entry.emergency && <Badge tone="danger">Emergency access</Badge>}
            <p>
              <strong>{line.what}</strong>
            </p>
            <p className="muted">
              {dateText(line.entry.recorded, true)} · {line.who}
            </p>
            <p>Why: {line.why}</p>
            <div className="portal-actions">
              <Button size="sm" onPress={() => setAsking(line)}>
                Ask the practice about this access
              </Button>
            </div>
          </li>
        ))}
      </ul>
      {lines !== undefined && lines.length > shown && (
        <div className="portal-actions">
          <Button onPress={() => setShown((n) => n + SHOWN_STEP)}>Show {Math.min(SHOWN_STEP, lines.length - shown)} more</Button>
        </div>
      )}
      {asking && <AskDialog patientId={patientId} line={asking} onClose={() => setAsking(undefined)} />}
    </Panel>
  );
}

function AskDialog({ patientId, line, onClose }: { patientId: string; line: AccessLine; onClose: () => void }) {
  const api = usePortalApi();
  const user = useUser();
  const queryClient = useQueryClient();
  const patient = useRead<Patient>('Patient', patientId);
  const [text, setText] = useState(`I would like to know about this access to my record: ${line.what} on ${dateText(line.entry.recorded, true)} by ${line.who}. Why was it needed?`);
  const send = useMutation({
    mutationFn: () => {
      // To the doctor the record names, waiting in their inbox until answered (docs/portal.md#messages).
      const doctors = (patient.data?.generalPractitioner ?? []).filter(isCareTeam);
      const message: Communication = {
        resourceType: 'Communication',
        status: 'in-progress',
        sent: new Date().toISOString(),
        subject: { reference: `Patient/${patientId}` },
        ...(user.fhirUser ? { sender: { reference: user.fhirUser } } : {}),
        ...(doctors.length > 0 ? { recipient: doctors.map((d) => ({ reference: d.reference! })) } : {}),
        topic: { text: 'Question about an access to my record' },
        payload: [{ contentString: text.trim() }],
      };
      return api.post<Communication>('Communication', message);
    },
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['fhir', 'Communication'] }),
  });
  return (
    <Dialog
      title="Ask the practice about this access"
      isOpen
      onOpenChange={(open) => !open && onClose()}
      actions={
        send.isSuccess ? (
          <Button variant="primary" onPress={onClose}>
            Close
          </Button>
        ) : (
          <>
            <Button onPress={onClose}>Cancel</Button>
            <Button variant="primary" isDisabled={send.isPending || text.trim() === ''} onPress={() => send.mutate()}>
              {send.isPending ? 'Sending…' : 'Send message'}
            </Button>
          </>
        )
      }
    >
      {send.isSuccess ? (
        <p role="status">Sent. The practice will answer in your messages.</p>
      ) : (
        <>
          <TextField label="Your message to the practice" multiline value={text} onChange={setText} isRequired />
          {send.isError && <ErrorState title="Not sent" message={errorMessage(send.error)} advice={`${errorAdvice(send.error)} Your message is still here.`} />}
        </>
      )}
    </Dialog>
  );
}

interface AppGrant {
  grant: string;
  client: string;
  name: string;
  scope: string;
  granted: string;
  lastUsed: string;
}

function ConnectedAppsPanel() {
  const api = usePortalApi();
  const { session } = useAuth();
  const queryClient = useQueryClient();
  const token = session.currentAccessToken();
  const ownClient = token ? String(decodeJwtPayload(token).client_id ?? '') : '';
  const [revoking, setRevoking] = useState<AppGrant | undefined>();
  const apps = useQuery({
    queryKey: ['portal', 'connected-apps'],
    queryFn: async () =>
      ((await api.get<Parameters>('$connected-apps')).parameter ?? [])
        .filter((p) => p.name === 'app')
        .map(({ part }) => ({ grant: paramText(part, 'grant'), client: paramText(part, 'client'), name: paramText(part, 'name'), scope: paramText(part, 'scope'), granted: paramText(part, 'granted'), lastUsed: paramText(part, 'lastUsed') })),
  });
  const revoke = useMutation({
    mutationFn: (app: AppGrant) => api.post<Parameters>('$connected-app-revoke', { resourceType: 'Parameters', parameter: [{ name: 'grant', valueString: app.grant }] }),
    onSuccess: (_answer, app) => {
      setRevoking(undefined);
      // This app's own tokens no longer work: end the session here rather than fail screen by screen.
      if (app.client === ownClient) void session.signOut();
      else void queryClient.invalidateQueries({ queryKey: ['portal', 'connected-apps'] });
    },
  });
  const own = revoking?.client === ownClient;
  return (
    <Panel title="Connected apps">
      <p className="muted">Apps you allowed into your record. Revoking one stops it at once.</p>
      {apps.isPending && <LoadingSkeleton label="Loading your apps" />}
      {apps.isError && <ErrorState title="Could not load your apps" message={errorMessage(apps.error)} advice={errorAdvice(apps.error)} onRetry={() => void apps.refetch()} />}
      {apps.data?.length === 0 && <EmptyState title="No apps are connected" />}
      <ul className="portal-cards" aria-label="Connected apps">
        {apps.data?.map((app) => (
          <li key={app.grant} className="portal-card">
            <div className="portal-card-head">
              <h3>{app.name}</h3>
              {app.client === ownClient && <Badge tone="info">This app</Badge>}
            </div>
            <p>It may: {scopeWords(app.scope).join('; ') || 'nothing beyond signing you in'}.</p>
            <p className="muted">
              Allowed {dateText(app.granted, true)} · last used {dateText(app.lastUsed, true)}
            </p>
            {app.client === ownClient && <p className="muted">This is the app you are using now: revoking it signs you out.</p>}
            <div className="portal-actions">
              <Button variant="danger" size="sm" onPress={() => setRevoking(app)}>
                Revoke
              </Button>
            </div>
          </li>
        ))}
      </ul>
      <RevokeDialog target={revoking} title={`Revoke ${revoking?.name ?? ''}?`} confirm={own ? 'Revoke and sign out' : 'Revoke now'} onClose={() => setRevoking(undefined)} revoke={revoke}>
        {own ? 'This is the app you are using now. Revoking it signs you out here; you can sign in again at any time.' : 'The app can no longer see or change your record. To use it again you will be asked to allow it again.'}
      </RevokeDialog>
    </Panel>
  );
}
