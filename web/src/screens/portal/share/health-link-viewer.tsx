import type { Bundle } from '@medplum/fhirtypes';
import { useState } from 'react';
import { HeronWordmark } from '../../../app/wordmark.tsx';
import { Button, ErrorState, TextField } from '../../../design/index.ts';
import { dateText } from '../../../fhir-format/values.ts';
import { openShlink, parseShlink } from '../../../record-sharing/shlink.ts';
import { SummaryView } from './summary-view.tsx';
import { saveFile } from './record-files.ts';
import '../portal-share.css';

/**
 * `/health-link#shlink:/…` (public, no sign-in): someone a patient shared their summary with
 * says who they are (recorded, and shown to the patient), gives the passcode when the link has
 * one, and reads the summary, decrypted here in the browser with the key in the link.
 */
export function HealthLinkViewer() {
  const [link] = useState(() => parseShlink(window.location.hash));
  const [recipient, setRecipient] = useState('');
  const [passcode, setPasscode] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<{ title: string; message: string; advice: string } | undefined>();
  const [gone, setGone] = useState(false);
  const [document, setDocument] = useState<Bundle | undefined>();
  const needsPasscode = link?.flag?.includes('P') ?? false;
  const [tried, setTried] = useState(false);

  const open = async () => {
    setTried(true);
    if (!link || recipient.trim() === '' || (needsPasscode && passcode === '')) return;
    setBusy(true);
    setProblem(undefined);
    const result = await openShlink(link, recipient.trim(), needsPasscode ? passcode : undefined);
    setBusy(false);
    if (result.kind === 'opened') setDocument(result.document);
    else if (result.kind === 'gone') setGone(true);
    else if (result.kind === 'wrong-passcode')
      setProblem({
        title: 'That passcode is not right',
        message: result.remainingAttempts !== undefined ? `${result.remainingAttempts} ${result.remainingAttempts === 1 ? 'try' : 'tries'} left before the link locks.` : 'Check it with the person who shared the link.',
        advice: 'Ask the person who shared the link for the passcode.',
      });
    else setProblem({ title: 'Could not open the summary', message: result.message, advice: 'Try again in a moment.' });
  };

  return (
    <div className="portal-viewer">
      <header className="topbar portal-topbar">
        <HeronWordmark onDark />
      </header>
      <main id="main" className="screen portal-screen">
        <h1>{document ? 'Shared patient summary' : 'Open a shared patient summary'}</h1>
        {!link ? (
          <ErrorState title="This is not a complete link" message="The address has no SMART Health Link in it." advice="Open the link exactly as it was sent to you, or scan its QR code again." />
        ) : gone ? (
          <ErrorState title="This link no longer works" message="It was revoked by the patient, has expired, or was locked after too many wrong passcodes." advice="Ask the person who shared it for a new link." />
        ) : document ? (
          <>
            <div className="portal-actions">
              <Button variant="primary" onPress={() => saveFile(JSON.stringify(document, null, 2), 'application/fhir+json', 'patient-summary.json')}>
                Download FHIR document
              </Button>
            </div>
            <SummaryView document={document} />
          </>
        ) : (
          <form
            className="portal-form"
            onSubmit={(e) => {
              e.preventDefault();
              void open();
            }}
          >
            <p>
              Someone shared their health summary with you{link.label ? `: “${link.label}”` : ''}.{link.exp ? ` The link works until ${dateText(new Date(link.exp * 1000).toISOString(), true)}.` : ''} The patient sees the name you give and when you opened it.
            </p>
            <TextField validationBehavior="aria" label="Your name and organisation" value={recipient} onChange={setRecipient} isRequired maxLength={200} isInvalid={tried && recipient.trim() === ''} errorMessage="Say who you are, e.g. “Dr Lee, City Hospital”." />
            {needsPasscode && <TextField validationBehavior="aria" label="Passcode" type="password" value={passcode} onChange={setPasscode} isRequired isInvalid={tried && passcode === ''} errorMessage="Enter the passcode the patient gave you." description="The patient gave it to you separately from the link." />}
            <div className="portal-actions">
              <Button type="submit" variant="primary" isDisabled={busy}>
                {busy ? 'Opening…' : 'Open the summary'}
              </Button>
            </div>
            {problem && <ErrorState {...problem} />}
          </form>
        )}
      </main>
    </div>
  );
}
