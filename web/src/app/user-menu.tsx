import type { Practitioner } from '@medplum/fhirtypes';
import type { ReactNode } from 'react';
import { Button as AriaButton, Header, Menu, MenuItem, MenuSection, MenuTrigger, Popover, Separator } from 'react-aria-components';
import { useAuth, useUser } from '../auth/auth-context.tsx';
import { useRead } from '../fhir/queries.ts';
import { roleLabel } from './roles.ts';

/** The signed-in person (name and role), the practice, and sign-out. */
export function UserMenu({ onShowShortcuts }: { onShowShortcuts: () => void }) {
  const user = useUser();
  const practitionerId = user.fhirUser?.startsWith('Practitioner/') ? user.fhirUser.slice('Practitioner/'.length) : undefined;
  const practitioner = useRead<Practitioner>('Practitioner', practitionerId);
  const name = practitioner.data ? practitionerName(practitioner.data) : undefined;
  const role = roleLabel(user.role);
  return (
    <AccountMenu
      buttonClassName="user-button"
      buttonLabel={`Account: ${name ?? role}, ${role}`}
      button={
        <>
          <span className="user-button-name">{name ?? role}</span>
          <span className="user-button-role">
            {name ? `${role} · ` : ''}
            {user.practice}
          </span>
        </>
      }
      heading={`Signed in as ${name ?? 'you'} (${role})`}
      onShowShortcuts={onShowShortcuts}
    />
  );
}

/** The account button and its menu: who is signed in, keyboard shortcuts (where the frame has them), sign-out. Shared by the clinician shell and the portal. */
export function AccountMenu(p: { buttonClassName: string; buttonLabel: string; button: ReactNode; heading: string; onShowShortcuts?: () => void }) {
  const { session } = useAuth();
  return (
    <MenuTrigger>
      <AriaButton className={p.buttonClassName} aria-label={p.buttonLabel}>
        {p.button}
      </AriaButton>
      <Popover className="h-popover" placement="bottom end">
        <Menu className="h-menu" onAction={(key) => (key === 'sign-out' ? void session.signOut() : key === 'shortcuts' ? p.onShowShortcuts?.() : undefined)}>
          <MenuSection>
            <Header className="h-menu-section-header">{p.heading}</Header>
            {p.onShowShortcuts && (
              <MenuItem className="h-menu-item" id="shortcuts">
                Keyboard shortcuts
              </MenuItem>
            )}
          </MenuSection>
          <Separator className="h-separator" />
          <MenuItem className="h-menu-item" id="sign-out">
            Sign out
          </MenuItem>
        </Menu>
      </Popover>
    </MenuTrigger>
  );
}

function practitionerName(p: Practitioner): string | undefined {
  const n = p.name?.[0];
  if (!n) return undefined;
  return n.text ?? [...(n.prefix ?? []), ...(n.given ?? []), n.family].filter(Boolean).join(' ');
}
