import { useState } from 'react';
import { Button, TextField } from '../../design/index.ts';

/**
 * A secret the server shows once (an invitation link, a client secret): read-only in a field the
 * administrator can select, a copy button, and a plain warning that it will not be shown again.
 */
export function OneTimeSecret({ label, value, warning }: { label: string; value: string; warning: string }) {
  const [copied, setCopied] = useState<'yes' | 'failed' | undefined>();
  const copy = () =>
    navigator.clipboard.writeText(value).then(
      () => setCopied('yes'),
      () => setCopied('failed'),
    );
  return (
    <div className="one-time-secret">
      <p className="one-time-secret-warning" role="note">
        <strong>You will not see this again.</strong> {warning}
      </p>
      <TextField label={label} value={value} isReadOnly />
      <div className="admin-actions">
        <Button variant="primary" onPress={() => void copy()}>
          Copy {label.toLowerCase()}
        </Button>
        <span role="status" className="muted">
          {copied === 'yes' ? 'Copied.' : copied === 'failed' ? 'Could not copy; select the text and copy it yourself.' : ''}
        </span>
      </div>
    </div>
  );
}
