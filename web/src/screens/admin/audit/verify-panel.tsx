import type { Parameters } from '@medplum/fhirtypes';
import { useMutation } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import { Badge, Button, ErrorState, Panel } from '../../../design/index.ts';
import { errorAdvice, errorMessage } from '../../../fhir/fhir-client.ts';
import { useFhir } from '../../../fhir/fhir-context.tsx';
import { dateText } from '../../../fhir-format/values.ts';

/** After this long the panel says that a long trail takes a while. */
const SLOW_MS = 5_000;

function parameter(p: Parameters | undefined, name: string) {
  return p?.parameter?.find((x) => x.name === name);
}

/** Seconds since `active` turned true, ticking while it stays true. */
function useElapsedSeconds(active: boolean): number {
  const [seconds, setSeconds] = useState(0);
  useEffect(() => {
    if (!active) return;
    const started = Date.now();
    setSeconds(0);
    const timer = setInterval(() => setSeconds(Math.floor((Date.now() - started) / 1000)), 1000);
    return () => clearInterval(timer);
  }, [active]);
  return seconds;
}

/**
 * "Verify the trail": `AuditEvent/$verify` recomputes the practice's hash chain on the server (the
 * check `heron audit verify` runs) and says whether it is intact or which entry first breaks it.
 */
export function VerifyPanel({ entryHref }: { entryHref: (id: string) => string }) {
  const fhir = useFhir();
  const verify = useMutation({ mutationFn: () => fhir.operation<Parameters>('AuditEvent', 'verify') });
  const seconds = useElapsedSeconds(verify.isPending);
  const result = verify.data;
  const intact = parameter(result, 'intact')?.valueBoolean;
  const checked = parameter(result, 'checked')?.valueInteger ?? 0;
  const broken = parameter(result, 'broken-entry')?.valueReference?.reference?.split('/')[1];
  const verified = parameter(result, 'verified')?.valueInstant;
  const took = parameter(result, 'seconds')?.valueDecimal;
  return (
    <Panel
      title="Is the trail intact?"
      actions={
        <Button variant="secondary" size="sm" isDisabled={verify.isPending} onPress={() => verify.mutate()}>
          {verify.isPending ? 'Verifying…' : result ? 'Verify again' : 'Verify the trail'}
        </Button>
      }
    >
      <div role="status" aria-live="polite" className="audit-verify">
        {verify.isIdle && <p className="muted">Each entry is chained to the one before it by its hash: a changed, removed or inserted entry breaks the chain there. Verifying reads every entry of the practice’s trail.</p>}
        {verify.isPending && (
          <p>
            Checking every entry of the trail… {seconds > 0 && <span className="mono">{seconds} s</span>}
            {seconds * 1000 >= SLOW_MS && <span className="muted"> A long trail takes a while: about ten seconds per million entries. You can keep working on this page; the answer appears here.</span>}
          </p>
        )}
        {result && intact === true && (
          <p>
            <Badge tone="success">Intact</Badge> All {checked.toLocaleString()} entries match their hashes and links.{' '}
            <span className="muted">
              Verified {dateText(verified, true)}
              {took !== undefined && ` in ${took} s`}.
            </span>
          </p>
        )}
        {result && intact === false && (
          <p>
            <Badge tone="danger">Broken</Badge> The chain breaks at{' '}
            {broken ? <Link to={entryHref(broken)}>entry {broken}</Link> : 'an entry'}: {parameter(result, 'problem')?.valueString}. The {checked.toLocaleString()} entries before it are intact. Keep this page and tell whoever runs the server: entries after this point cannot be trusted until it is explained.
          </p>
        )}
      </div>
      {verify.isError && <ErrorState title="Could not verify the trail" message={errorMessage(verify.error)} advice={errorAdvice(verify.error)} onRetry={() => verify.mutate()} />}
    </Panel>
  );
}
