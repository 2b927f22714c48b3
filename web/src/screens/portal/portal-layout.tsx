import type { Patient, RelatedPerson } from '@medplum/fhirtypes';
import { format } from 'date-fns';
import { Button as AriaButton } from 'react-aria-components';
import { Navigate, NavLink, Outlet } from 'react-router';
import { useAuth, useUser } from '../../auth/auth-context.tsx';
import { isPatientFacing } from '../../app/roles.ts';
import { SignedInProviders } from '../../app/signed-in-providers.tsx';
import { AccountMenu } from '../../app/user-menu.tsx';
import { HeronWordmark } from '../../app/wordmark.tsx';
import { givenFirst } from '../../fhir-format/patient.ts';
import { useRead } from '../../fhir/queries.ts';
import { PORTAL_SECTIONS } from '../../portal/portal-sections.ts';
import { PortalIcon } from './portal-icons.tsx';
import './portal.css';

/**
 * The portal's frame for patients and proxies (docs/web.md#portal), phone first: a compact header
 * (Heron, the practice, whose record is open, the account menu), the section tabs (a bar along the
 * bottom of a phone, under the header on a wider screen) and the screen. Staff who open /portal
 * are sent to their own home.
 */
export function PortalLayout() {
  const user = useUser();
  if (!isPatientFacing(user.role)) return <Navigate to="/" replace />;
  return (
    <SignedInProviders>
      <header className="portal-header">
        <div className="portal-header-top">
          <span className="portal-brand">
            <HeronWordmark onDark />
            <span className="portal-practice">{user.practice}</span>
          </span>
          <PortalUserMenu />
        </div>
        <WhoseRecord />
      </header>
      <nav className="portal-tabs" aria-label="Portal sections">
        {PORTAL_SECTIONS.map((s) => (
          <NavLink key={s.path} to={s.path ? `/portal/${s.path}` : '/portal'} end={s.path === ''} className="portal-tab">
            <PortalIcon name={s.icon} />
            <span className="portal-tab-label">{s.label}</span>
          </NavLink>
        ))}
      </nav>
      <main id="main" tabIndex={-1} className="portal-main">
        <Outlet />
      </main>
    </SignedInProviders>
  );
}

/** The open record, always in view: the patient's name and date of birth, and for a proxy the way to another person's record. */
function WhoseRecord() {
  const user = useUser();
  const { session, client, config } = useAuth();
  const patient = useRead<Patient>('Patient', user.patient).data;
  const name = patient ? givenFirst(patient.name) : undefined;
  const born = patient?.birthDate ? format(new Date(`${patient.birthDate}T00:00:00`), 'd MMM yyyy') : undefined;
  const practice = config.practices.find((p) => p.practice === user.practice);

  // A proxy's sign-in is bound to one person's record (chosen on the consent page), so another
  // person's record is a new sign-in: the server asks whose record to open.
  async function switchPerson() {
    await session.signOut();
    if (practice) await client.beginSignIn(practice, '/portal');
  }

  return (
    <div className="portal-whose" role="group" aria-label="Whose record is open">
      <p className="portal-whose-line">
        <span className="portal-whose-label">{user.role === 'proxy' ? 'Record of' : 'Your record'}</span>{' '}
        <strong data-testid="record-name">{name ?? '…'}</strong>
        {born && <span className="portal-whose-born"> · born {born}</span>}
      </p>
      {user.role === 'proxy' && (
        <AriaButton className="portal-switch" onPress={() => void switchPerson()}>
          Switch person
        </AriaButton>
      )}
    </div>
  );
}

/** Who is signed in (the patient, or the proxy acting for them) and sign-out. */
function PortalUserMenu() {
  const user = useUser();
  const personId = user.fhirUser?.startsWith('RelatedPerson/') ? user.fhirUser.slice('RelatedPerson/'.length) : undefined;
  const self = useRead<Patient>('Patient', user.role === 'patient' ? user.patient : undefined).data;
  const proxy = useRead<RelatedPerson>('RelatedPerson', personId).data;
  const name = (self && givenFirst(self.name)) || (proxy && givenFirst(proxy.name)) || (user.role === 'proxy' ? 'Proxy' : 'You');
  return <AccountMenu buttonClassName="portal-user" buttonLabel={`Account: ${name}`} button={name} heading={`Signed in as ${name}`} />;
}
