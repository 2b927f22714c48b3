import type { Parameters } from '@medplum/fhirtypes';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Badge, Button, EmptyState, ErrorState, LoadingSkeleton, Panel, Select, TextField, type BadgeTone } from '../../../design/index.ts';
import { dateText } from '../../../fhir-format/values.ts';
import { errorAdvice, errorMessage } from '../../../fhir/fhir-client.ts';
import { paramText } from '../../../record-sharing/health-links.ts';
import { usePortalApi } from '../portal-api.ts';
import { RevokeDialog } from '../revoke-dialog.tsx';
import type { LinkView } from '../../../record-sharing/health-links.ts';
import { useHealthLinks } from './health-links-query.ts';
import { usePortalPatientId } from '../portal-patient.ts';
import { everything, saveFile, summaryDocument, summaryPdf } from './record-files.ts';
// The cards, actions and emergency marking: the viewer is not the only screen that uses these styles, and its chunk is loaded only for it.
import '../portal-share.css';

/**
 * `/portal/share`: the patient takes their record elsewhere — the summary as a FHIR document or a
 * PDF, everything as one Bundle — and shares the summary through SMART Health Links they can see
 * opened and revoke (docs/portal.md, docs/patient-summary.md).
 */
export function ShareScreen() {
  const patientId = usePortalPatientId();
  if (!patientId) return <div className="screen"><ErrorState title="No record to show" message="This account is not linked to a patient’s record." advice="Ask your practice to link your portal account to your record." /></div>;
  return (
    <div className="screen portal-screen">
      <div className="screen-header">
        <h1>Share my record</h1>
      </div>
      <DownloadPanel patientId={patientId} />
      <NewLinkPanel patientId={patientId} />
      <LinksPanel patientId={patientId} />
    </div>
  );
}

function DownloadPanel({ patientId }: { patientId: string }) {
  const api = usePortalApi();
  const [busy, setBusy] = useState<string | undefined>();
  const [error, setError] = useState<unknown>();
  const day = new Date().toISOString().slice(0, 10);
  const run = async (what: string, make: () => Promise<void>) => {
    setBusy(what);
    setError(undefined);
    try {
      await make();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(undefined);
    }
  };
  return (
    <Panel title="Download my record">
      <p className="muted">Your patient summary holds your problems, allergies, medicines, vaccinations and recent results. Any doctor or health app that reads FHIR can open the .json file.</p>
      <div className="portal-actions">
        <Button variant="primary" isDisabled={busy !== undefined} onPress={() => void run('json', async () => saveFile(JSON.stringify(await summaryDocument(api, patientId), null, 2), 'application/fhir+json', `patient-summary-${day}.json`))}>
          {busy === 'json' ? 'Preparing…' : 'Summary (FHIR document)'}
        </Button>
        <Button isDisabled={busy !== undefined} onPress={() => void run('pdf', async () => saveFile(await summaryPdf(await summaryDocument(api, patientId)), 'application/pdf', `patient-summary-${day}.pdf`))}>
          {busy === 'pdf' ? 'Preparing…' : 'Summary (PDF to read or print)'}
        </Button>
        <Button isDisabled={busy !== undefined} onPress={() => void run('all', async () => saveFile(JSON.stringify(await everything(api, patientId)), 'application/fhir+json', `my-record-${day}.json`))}>
          {busy === 'all' ? 'Gathering everything…' : 'Download everything (.json)'}
        </Button>
      </div>
      {error !== undefined && <ErrorState title="Could not download" message={errorMessage(error)} advice={errorAdvice(error)} />}
    </Panel>
  );
}

const EXPIRY_OPTIONS = [
  { id: '1', label: '1 day' },
  { id: '7', label: '1 week' },
  { id: '30', label: '1 month' },
  { id: 'custom', label: 'Choose a date' },
] as const;

interface Made {
  viewer: string;
  label: string;
  expires: string;
  qr: string;
}

function expiresFor(choice: string, custom: string, now = new Date()): string | undefined {
  if (choice !== 'custom') return new Date(now.getTime() + Number(choice) * 86_400_000).toISOString();
  return /^\d{4}-\d{2}-\d{2}$/.test(custom) ? custom : undefined;
}

function NewLinkPanel({ patientId }: { patientId: string }) {
  const api = usePortalApi();
  const queryClient = useQueryClient();
  const [label, setLabel] = useState('');
  const [expiry, setExpiry] = useState('7');
  const [custom, setCustom] = useState('');
  const [passcode, setPasscode] = useState('');
  const [again, setAgain] = useState('');
  const [tried, setTried] = useState(false);
  const [made, setMade] = useState<Made | undefined>();
  const expires = expiresFor(expiry, custom);
  const problems = {
    label: label.trim() === '' ? 'Say who the link is for, e.g. “Dr Lee, City Hospital”.' : undefined,
    expires: expires === undefined ? 'Enter the last day as YYYY-MM-DD, e.g. 2027-01-31.' : undefined,
    passcode: passcode !== '' && passcode.length < 6 ? 'A passcode has at least 6 characters.' : undefined,
    again: passcode !== again ? 'The two passcodes are not the same.' : undefined,
  };
  const create = useMutation({
    mutationFn: async () => {
      const body: Parameters = {
        resourceType: 'Parameters',
        parameter: [{ name: 'label', valueString: label.trim() }, { name: 'expires', valueDateTime: expires! }, ...(passcode ? [{ name: 'passcode', valueString: passcode }] : [])],
      };
      const answer = await api.post<Parameters>(`Patient/${encodeURIComponent(patientId)}/$health-link`, body);
      const viewer = paramText(answer.parameter, 'viewer');
      const { default: QRCode } = await import('qrcode');
      const svg = await QRCode.toString(viewer, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
      return { viewer, label: paramText(answer.parameter, 'label'), expires: paramText(answer.parameter, 'expires'), qr: `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}` };
    },
    onSuccess: (m) => {
      setMade(m);
      setLabel('');
      setPasscode('');
      setAgain('');
      setTried(false);
      void queryClient.invalidateQueries({ queryKey: ['portal', 'health-links', patientId] });
    },
  });
  const submit = () => {
    setTried(true);
    if (Object.values(problems).some(Boolean)) return;
    create.mutate();
  };
  if (made) return <MadeLink made={made} onDone={() => setMade(undefined)} />;
  return (
    <Panel title="Share with a SMART Health Link">
      <p className="muted">Make a link to your summary for a doctor, hospital or family member. Whoever has the link (and the passcode, if you set one) can read your summary until it expires or you revoke it. You can see every time it is opened.</p>
      <form
        className="portal-form"
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <TextField validationBehavior="aria" label="Who is it for?" value={label} onChange={setLabel} maxLength={80} isRequired isInvalid={tried && problems.label !== undefined} errorMessage={problems.label} description="Shown to them with the link, and to you in your list of links." />
        <Select label="Link works for" options={EXPIRY_OPTIONS} selectedKey={expiry} onSelectionChange={setExpiry} />
        {expiry === 'custom' && <TextField validationBehavior="aria" label="Last day it works" value={custom} onChange={setCustom} placeholder="YYYY-MM-DD" isRequired isInvalid={tried && problems.expires !== undefined} errorMessage={problems.expires} description="At most a year from today." />}
        <TextField validationBehavior="aria" label="Passcode (optional)" type="password" value={passcode} onChange={setPasscode} isInvalid={tried && problems.passcode !== undefined} errorMessage={problems.passcode} description="At least 6 characters. Tell it to the person separately, not with the link." />
        {passcode !== '' && <TextField validationBehavior="aria" label="Passcode again" type="password" value={again} onChange={setAgain} isRequired isInvalid={tried && problems.again !== undefined} errorMessage={problems.again} />}
        <div className="portal-actions">
          <Button type="submit" variant="primary" isDisabled={create.isPending}>
            {create.isPending ? 'Making the link…' : 'Make the link'}
          </Button>
        </div>
        {create.isError && <ErrorState title="The link was not made" message={errorMessage(create.error)} advice={errorAdvice(create.error)} />}
      </form>
    </Panel>
  );
}

function MadeLink({ made, onDone }: { made: Made; onDone: () => void }) {
  const [copied, setCopied] = useState<'yes' | 'failed' | undefined>();
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(made.viewer);
      setCopied('yes');
    } catch {
      setCopied('failed');
    }
  };
  return (
    <Panel title={`Your link for ${made.label}`}>
      <p className="portal-once" role="status">
        <strong>You will not see this link again.</strong> Copy it or let them scan the code now. If it is lost, make a new one.
      </p>
      <div className="portal-made">
        <img className="portal-qr" src={made.qr} alt={`QR code of the link for ${made.label}`} width={240} height={240} />
        <div className="portal-made-text">
          <TextField validationBehavior="aria" label="Link address" value={made.viewer} isReadOnly />
          <div className="portal-actions">
            <Button variant="primary" onPress={() => void copy()}>
              Copy link
            </Button>
            <Button onPress={onDone}>Done</Button>
          </div>
          <p aria-live="polite" className="muted">
            {copied === 'yes' ? 'Copied.' : copied === 'failed' ? 'Your browser did not allow copying: select the address and copy it.' : ''}
          </p>
          <p className="muted">Works until {dateText(made.expires, true)}.</p>
        </div>
      </div>
    </Panel>
  );
}

const STATUS: Record<string, { text: string; tone: BadgeTone }> = {
  active: { text: 'Works', tone: 'success' },
  revoked: { text: 'Revoked', tone: 'neutral' },
  expired: { text: 'Expired', tone: 'neutral' },
  locked: { text: 'Locked: too many wrong passcodes', tone: 'danger' },
};

const OUTCOMES: Record<string, string> = { served: 'Opened', 'wrong-passcode': 'Wrong passcode', refused: 'Refused: the link no longer worked' };

function LinksPanel({ patientId }: { patientId: string }) {
  const api = usePortalApi();
  const queryClient = useQueryClient();
  const links = useHealthLinks(patientId);
  const [revoking, setRevoking] = useState<LinkView | undefined>();
  const revoke = useMutation({
    mutationFn: (link: LinkView) => api.post<Parameters>(`Patient/${encodeURIComponent(patientId)}/$health-link-revoke`, { resourceType: 'Parameters', parameter: [{ name: 'id', valueString: link.id }] }),
    onSuccess: () => {
      setRevoking(undefined);
      void queryClient.invalidateQueries({ queryKey: ['portal', 'health-links', patientId] });
    },
  });
  return (
    <Panel title="Links you have shared">
      {links.isPending && <LoadingSkeleton label="Loading your links" />}
      {links.isError && <ErrorState title="Could not load your links" message={errorMessage(links.error)} advice={errorAdvice(links.error)} onRetry={() => void links.refetch()} />}
      {links.data?.length === 0 && <EmptyState title="You have not shared a link yet" />}
      <ul className="portal-cards">
        {links.data?.map((link) => (
          <li key={link.id} className="portal-card">
            <div className="portal-card-head">
              <h3>{link.label}</h3>
              <Badge tone={STATUS[link.status]?.tone ?? 'neutral'}>{STATUS[link.status]?.text ?? link.status}</Badge>
            </div>
            <p className="muted">
              Made {dateText(link.created, true)} · {link.status === 'expired' ? 'expired' : 'expires'} {dateText(link.expires, true)} · {link.passcode ? 'with a passcode' : 'no passcode'}
            </p>
            {link.openings.length === 0 ? (
              <p>Not opened yet.</p>
            ) : (
              <ul className="portal-openings" aria-label={`Openings of ${link.label}`}>
                {link.openings.map((o, i) => (
                  <li key={i}>
                    <strong>{OUTCOMES[o.outcome] ?? o.outcome}</strong> {dateText(o.at, true)} by “{o.recipient}”{o.address ? ` from ${o.address}` : ''}
                  </li>
                ))}
              </ul>
            )}
            {link.status === 'active' && (
              <div className="portal-actions">
                <Button variant="danger" size="sm" onPress={() => setRevoking(link)}>
                  Revoke
                </Button>
              </div>
            )}
          </li>
        ))}
      </ul>
      <RevokeDialog target={revoking} title={`Revoke the link for ${revoking?.label ?? ''}?`} confirm="Revoke now" onClose={() => setRevoking(undefined)} revoke={revoke}>
        The link stops working at once: nobody can open your summary with it again. This cannot be undone.
      </RevokeDialog>
    </Panel>
  );
}
