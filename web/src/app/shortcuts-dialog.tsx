import { Checkbox } from 'react-aria-components';
import { Button, Dialog } from '../design/index.ts';
import { SHORTCUTS, setSingleKeyShortcuts, useSingleKeyShortcutsOn } from './shortcuts.ts';

export function ShortcutsDialog({ isOpen, onOpenChange }: { isOpen: boolean; onOpenChange: (open: boolean) => void }) {
  const on = useSingleKeyShortcutsOn();
  return (
    <Dialog
      title="Keyboard shortcuts"
      isOpen={isOpen}
      onOpenChange={onOpenChange}
      actions={
        <Button variant="primary" onPress={() => onOpenChange(false)}>
          Close
        </Button>
      }
    >
      <table className="h-table shortcuts-table">
        <thead>
          <tr>
            <th scope="col">Key</th>
            <th scope="col">Does</th>
          </tr>
        </thead>
        <tbody>
          {SHORTCUTS.map((s) => (
            <tr key={s.key}>
              <td>
                <kbd className="h-kbd">{s.key}</kbd>
              </td>
              <td>{s.description}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <Checkbox className="h-checkbox" isSelected={on} onChange={setSingleKeyShortcuts}>
        <span className="h-checkbox-box" aria-hidden="true">
          {on ? '✓' : ''}
        </span>
        Single-key shortcuts (? and /). Turn off if you use speech input.
      </Checkbox>
      {!on && <p className="muted">With single-key shortcuts off, open this list from your name’s menu at the top right.</p>}
    </Dialog>
  );
}
