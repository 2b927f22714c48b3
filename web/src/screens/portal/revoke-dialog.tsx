import type { ReactNode } from 'react';
import { Button, Dialog, ErrorState } from '../../design/index.ts';
import { errorAdvice, errorMessage } from '../../fhir/fhir-client.ts';

/** "Revoke …?" with Keep it / Revoke: for a shared link and for a connected app; the server's refusal shown in words. */
export function RevokeDialog<T>(props: { target: T | undefined; title: string; confirm: string; onClose: () => void; revoke: { isPending: boolean; isError: boolean; error: unknown; mutate: (target: T) => void }; children: ReactNode }) {
  const { target, revoke } = props;
  return (
    <Dialog
      title={props.title}
      isOpen={target !== undefined}
      onOpenChange={(open) => !open && props.onClose()}
      actions={
        <>
          <Button onPress={props.onClose}>Keep it</Button>
          <Button variant="danger" isDisabled={revoke.isPending} onPress={() => target !== undefined && revoke.mutate(target)}>
            {revoke.isPending ? 'Revoking…' : props.confirm}
          </Button>
        </>
      }
    >
      <p>{props.children}</p>
      {revoke.isError && <ErrorState title="Not revoked" message={errorMessage(revoke.error)} advice={errorAdvice(revoke.error)} />}
    </Dialog>
  );
}
