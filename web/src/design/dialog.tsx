import type { ReactNode } from 'react';
import { Dialog as AriaDialog, Heading, Modal, ModalOverlay } from 'react-aria-components';
import { Button } from './button.tsx';

export interface DialogProps {
  title: string;
  isOpen: boolean;
  onOpenChange: (open: boolean) => void;
  /** Whether a click outside or Escape closes it; off for dialogs that demand an answer. */
  isDismissable?: boolean;
  /** `alertdialog` for warnings that interrupt (e.g. the session is about to end). */
  role?: 'dialog' | 'alertdialog';
  children: ReactNode;
  /** Buttons, right-aligned under the content. */
  actions?: ReactNode;
}

/** A modal dialog: focus is trapped inside and returns to where it was when it closes. */
export function Dialog({ title, isOpen, onOpenChange, isDismissable = true, role = 'dialog', children, actions }: DialogProps) {
  return (
    <ModalOverlay className="h-modal-overlay" isOpen={isOpen} onOpenChange={onOpenChange} isDismissable={isDismissable} isKeyboardDismissDisabled={!isDismissable}>
      <Modal className="h-modal">
        <AriaDialog className="h-dialog" role={role}>
          <Heading slot="title" className="h-dialog-title">
            {title}
          </Heading>
          {children}
          {actions && <div className="h-dialog-actions">{actions}</div>}
        </AriaDialog>
      </Modal>
    </ModalOverlay>
  );
}

/**
 * A dialog shown while it is mounted, to look at something and close: a Close button first, then
 * any further `actions` (printing a document, filing it).
 */
export function ClosableDialog({ title, onClose, children, actions }: { title: string; onClose: () => void; children: ReactNode; actions?: ReactNode }) {
  return (
    <Dialog
      title={title}
      isOpen
      onOpenChange={(open) => !open && onClose()}
      actions={
        <>
          <Button variant="secondary" onPress={onClose}>
            Close
          </Button>
          {actions}
        </>
      }
    >
      {children}
    </Dialog>
  );
}
