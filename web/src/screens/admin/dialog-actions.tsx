import { Button } from '../../design/index.ts';

/**
 * The buttons of an administration dialog: Cancel and the action until it is done; then only
 * Done, once the dialog shows what the server gave back once (a link, a secret).
 */
export function DialogActions({ done, onClose, onConfirm, label, pending, danger }: { done: boolean; onClose: () => void; onConfirm: () => void; label: string; pending: boolean; danger?: boolean }) {
  if (done) {
    return (
      <Button variant="primary" onPress={onClose}>
        Done
      </Button>
    );
  }
  return (
    <>
      <Button variant="secondary" onPress={onClose}>
        Cancel
      </Button>
      <Button variant={danger ? 'danger' : 'primary'} onPress={onConfirm} isDisabled={pending}>
        {label}
      </Button>
    </>
  );
}
