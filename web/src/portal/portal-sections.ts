/**
 * The portal's sections, in the order its tab bar shows them. One list, so adding a section is
 * one entry here and its route in app/routes.tsx.
 */
export interface PortalSection {
  /** Under /portal; '' is My health. */
  path: string;
  label: string;
}

export const PORTAL_SECTIONS: readonly PortalSection[] = [
  { path: '', label: 'My health' },
  { path: 'messages', label: 'Messages' },
  { path: 'appointments', label: 'Appointments' },
  { path: 'share', label: 'Share' },
  { path: 'privacy', label: 'Privacy' },
];
