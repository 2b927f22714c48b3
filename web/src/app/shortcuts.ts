/**
 * Keyboard shortcuts. Single-key shortcuts ("?", "/") can be turned off (WCAG 2.1.4 Character Key
 * Shortcuts): speech-input users would trigger them by dictating. The setting is kept per browser.
 * Shortcuts never fire while the user is typing in a field.
 */
import { useEffect, useSyncExternalStore } from 'react';

export interface Shortcut {
  key: string;
  description: string;
}

/** Listed in the "?" dialog; screens add theirs here when they register them. */
export const SHORTCUTS: readonly Shortcut[] = [
  { key: '?', description: 'Show keyboard shortcuts' },
  { key: '/', description: 'Find a patient (move to the search box)' },
  { key: 'Esc', description: 'Close a dialog or list' },
  { key: 'b', description: 'Schedule: book an appointment' },
  { key: 'd / w', description: 'Schedule: day view / week view' },
  { key: '[ / ]', description: 'Schedule: previous / next day or week' },
  { key: 't', description: 'Schedule: today' },
];

const SETTING = 'heron.shortcuts.single-key';
const listeners = new Set<() => void>();

export function singleKeyShortcutsOn(): boolean {
  return window.localStorage.getItem(SETTING) !== 'off';
}

export function setSingleKeyShortcuts(on: boolean): void {
  window.localStorage.setItem(SETTING, on ? 'on' : 'off');
  for (const l of listeners) l();
}

export function useSingleKeyShortcutsOn(): boolean {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    singleKeyShortcutsOn,
  );
}

function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}

/** Calls `handlers[key]` for an unmodified key press outside fields, when single-key shortcuts are on. */
export function useSingleKeyShortcuts(handlers: Record<string, () => void>): void {
  const on = useSingleKeyShortcutsOn();
  useEffect(() => {
    if (!on) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented || isTyping(event.target)) return;
      const handler = handlers[event.key];
      if (!handler) return;
      event.preventDefault();
      handler();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [on, handlers]);
}
