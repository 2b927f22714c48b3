/**
 * The portal's sections, in the order its tab bar shows them. One list, so adding a section is
 * one entry here and its route in app/routes.tsx.
 */
export interface PortalSection {
  /** Under /portal; '' is My health. */
  path: string;
  /** Short enough for six tabs across a 375px phone (about 60px each). */
  label: string;
  /** The tab's picture (screens/portal/portal-icons.tsx). */
  icon: PortalIconName;
}

export type PortalIconName = 'health' | 'messages' | 'visits' | 'forms' | 'share' | 'privacy';

export const PORTAL_SECTIONS: readonly PortalSection[] = [
  { path: '', label: 'My health', icon: 'health' },
  { path: 'messages', label: 'Messages', icon: 'messages' },
  // "Visits", as patient portals (MyChart) name appointments: "Appointments" does not fit a phone's tab.
  { path: 'appointments', label: 'Visits', icon: 'visits' },
  { path: 'forms', label: 'Forms', icon: 'forms' },
  { path: 'share', label: 'Share', icon: 'share' },
  { path: 'privacy', label: 'Privacy', icon: 'privacy' },
];
