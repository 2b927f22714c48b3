/**
 * The route table. Screens are loaded on demand (code-split), so the first load carries only the
 * shell. To add a screen: a folder in screens/, exporting its component, and one entry here
 * (docs/web.md).
 */
import { createBrowserRouter, type RouteObject } from 'react-router';
import { CallbackScreen } from '../auth/callback-screen.tsx';
import { RequireSession } from '../auth/require-session.tsx';
import { Shell } from './shell.tsx';
import { RouteError } from './route-error.tsx';

export const routes: RouteObject[] = [
  { path: '/auth/callback', element: <CallbackScreen /> },
  // Public: whoever a patient gave a SMART Health Link to opens it here without an account.
  { path: '/health-link', errorElement: <RouteError />, lazy: async () => ({ Component: (await import('../screens/portal/share/health-link-viewer.tsx')).HealthLinkViewer }) },
  {
    element: <RequireSession />,
    errorElement: <RouteError />,
    children: [
      {
        // The patient portal: its own frame, for patients and proxies only (docs/portal.md).
        path: 'portal',
        lazy: async () => ({ Component: (await import('../screens/portal/portal-layout.tsx')).PortalLayout }),
        children: [
          { index: true, lazy: async () => ({ Component: (await import('../screens/portal/my-health-screen.tsx')).MyHealthScreen }) },
          { path: 'messages', lazy: async () => ({ Component: (await import('../screens/portal/messages/messages-screen.tsx')).MessagesScreen }) },
          { path: 'messages/new', lazy: async () => ({ Component: (await import('../screens/portal/messages/messages-screen.tsx')).NewMessageScreen }) },
          { path: 'messages/:threadId', lazy: async () => ({ Component: (await import('../screens/portal/messages/messages-screen.tsx')).ThreadScreen }) },
          { path: 'appointments', lazy: async () => ({ Component: (await import('../screens/portal/appointments/appointments-screen.tsx')).AppointmentsScreen }) },
          { path: 'forms', lazy: async () => ({ Component: (await import('../screens/portal/forms/forms-screen.tsx')).FormsScreen }) },
          { path: 'forms/:taskId', lazy: async () => ({ Component: (await import('../screens/portal/forms/form-fill-screen.tsx')).FormFillScreen }) },
          { path: 'share', lazy: async () => ({ Component: (await import('../screens/portal/share/share-screen.tsx')).ShareScreen }) },
          { path: 'privacy', lazy: async () => ({ Component: (await import('../screens/portal/privacy/privacy-screen.tsx')).PrivacyScreen }) },
          { path: 'corrections', lazy: async () => ({ Component: (await import('../screens/portal/corrections/corrections-screen.tsx')).CorrectionsScreen }) },
        ],
      },
      {
        element: <Shell />,
        children: [
          { index: true, lazy: async () => ({ Component: (await import('../screens/home/home-screen.tsx')).HomeScreen }) },
          {
            // Every chart screen is a child: the layout keeps the patient banner in its slot.
            path: 'patients/:patientId',
            lazy: async () => ({ Component: (await import('../screens/chart/chart-layout.tsx')).ChartLayout }),
            children: [
              { index: true, lazy: async () => ({ Component: (await import('../screens/chart/glance-screen.tsx')).GlanceScreen }) },
              { path: 'problems', lazy: async () => ({ Component: (await import('../screens/problems/problems-screen.tsx')).ProblemsScreen }) },
              { path: 'medications', lazy: async () => ({ Component: (await import('../screens/medications/medications-screen.tsx')).MedicationsScreen }) },
              { path: 'allergies', lazy: async () => ({ Component: (await import('../screens/allergies/allergies-screen.tsx')).AllergiesScreen }) },
              { path: 'immunizations', lazy: async () => ({ Component: (await import('../screens/immunizations/immunizations-screen.tsx')).ImmunizationsScreen }) },
              { path: 'vitals', lazy: async () => ({ Component: (await import('../screens/vitals/vitals-screen.tsx')).VitalsScreen }) },
              { path: 'results', lazy: async () => ({ Component: (await import('../screens/results/results-screen.tsx')).ResultsScreen }) },
              { path: 'orders', lazy: async () => ({ Component: (await import('../screens/orders/orders-screen.tsx')).OrdersScreen }) },
              { path: 'screening', lazy: async () => ({ Component: (await import('../screens/screening/screening-screen.tsx')).ScreeningScreen }) },
              { path: 'documents', lazy: async () => ({ Component: (await import('../screens/documents/documents-screen.tsx')).DocumentsScreen }) },
              { path: 'encounters', lazy: async () => ({ Component: (await import('../screens/encounters/encounters-screen.tsx')).EncountersScreen }) },
              { path: 'notes', lazy: async () => ({ Component: (await import('../screens/notes/notes-screen.tsx')).NotesScreen }) },
              { path: 'notes/new', lazy: async () => ({ Component: (await import('../screens/notes/note-new-screen.tsx')).NoteNewScreen }) },
              { path: 'notes/:noteId', lazy: async () => ({ Component: (await import('../screens/notes/note-screen.tsx')).NoteScreen }) },
            ],
          },
          {
            // Practice administration (not /admin/: that is the admin API's prefix): each area is a child, under the section tabs and the admin API client.
            path: 'administration',
            lazy: async () => ({ Component: (await import('../screens/admin/admin-layout.tsx')).AdminLayout }),
            children: [
              { index: true, lazy: async () => ({ Component: (await import('../screens/admin/admin-home.tsx')).AdminHome }) },
              { path: 'settings', lazy: async () => ({ Component: (await import('../screens/admin/settings/settings-screen.tsx')).SettingsScreen }) },
              { path: 'emergency-access', lazy: async () => ({ Component: (await import('../screens/admin/emergency-access/emergency-access-screen.tsx')).EmergencyAccessScreen }) },
              { path: 'restricted', lazy: async () => ({ Component: (await import('../screens/admin/restricted/restricted-screen.tsx')).RestrictedScreen }) },
              { path: 'people', lazy: async () => ({ Component: (await import('../screens/admin/people/people-screen.tsx')).PeopleScreen }) },
              { path: 'people/:userId', lazy: async () => ({ Component: (await import('../screens/admin/people/person-screen.tsx')).PersonScreen }) },
              { path: 'apps', lazy: async () => ({ Component: (await import('../screens/admin/apps/apps-screen.tsx')).AppsScreen }) },
              { path: 'audit', lazy: async () => ({ Component: (await import('../screens/admin/audit/audit-screen.tsx')).AuditTrailScreen }) },
            ],
          },
          { path: 'schedule', lazy: async () => ({ Component: (await import('../screens/schedule/schedule-screen.tsx')).ScheduleScreen }) },
          { path: 'inbox', lazy: async () => ({ Component: (await import('../screens/inbox/inbox-screen.tsx')).InboxScreen }) },
          { path: 'register', lazy: async () => ({ Component: (await import('../screens/register/register-screen.tsx')).RegisterScreen }) },
          { path: 'note-templates', lazy: async () => ({ Component: (await import('../screens/notes/templates-screen.tsx')).TemplatesScreen }) },
          { path: '*', lazy: async () => ({ Component: (await import('../screens/not-found/not-found-screen.tsx')).NotFoundScreen }) },
        ],
      },
    ],
  },
];

export function createAppRouter() {
  return createBrowserRouter(routes);
}
