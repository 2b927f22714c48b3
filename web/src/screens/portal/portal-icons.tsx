import type { PortalIconName } from '../../portal/portal-sections.ts';

/**
 * The portal tabs' pictures: simple line drawings on a 24px grid, in the text's colour. Decorative
 * (the tab's words are its name), so hidden from screen readers.
 */
const PATHS: Record<PortalIconName, string> = {
  // a heart
  health: 'M12 20s-7-4.4-7-10a4 4 0 0 1 7-2.6A4 4 0 0 1 19 10c0 5.6-7 10-7 10z',
  // a speech bubble
  messages: 'M4 5h16v11H9l-5 4z',
  // a calendar page
  visits: 'M4 6h16v14H4zM4 10h16M8 3v5M16 3v5',
  // a clipboard with lines
  forms: 'M6 4h12v17H6zM9 3h6v3H9zM9 11h6M9 15h6',
  // a box with an arrow leaving it
  share: 'M12 15V3M8 7l4-4 4 4M5 12v8h14v-8',
  // a padlock
  privacy: 'M6 11h12v9H6zM9 11V8a3 3 0 0 1 6 0v3',
};

export function PortalIcon({ name }: { name: PortalIconName }) {
  return (
    <svg className="portal-tab-icon" viewBox="0 0 24 24" width="22" height="22" aria-hidden="true" focusable="false">
      <path d={PATHS[name]} fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round" />
    </svg>
  );
}
