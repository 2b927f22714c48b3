import { Badge } from '../../design/index.ts';
import type { SignState } from '../../notes/note-resource.ts';

/** Where a note stands, in words (never colour alone). */
export function SignStateBadge({ state }: { state: SignState }) {
  if (state === 'signed') return <Badge tone="success">Signed · locked</Badge>;
  if (state === 'awaiting-cosignature') return <Badge tone="info">Awaiting co-signature</Badge>;
  return <Badge tone="warning">Draft · not signed</Badge>;
}
