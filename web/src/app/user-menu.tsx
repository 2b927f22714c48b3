import type { Practitioner } from '@medplum/fhirtypes';
import { Button as AriaButton, Header, Menu, MenuItem, MenuSection, MenuTrigger, Popover, Separator } from 'react-aria-components';
import { useAuth, useUser } from '../auth/auth-context.tsx';
import { useRead } from '../fhir/queries.ts';
import { roleLabel } from './roles.ts';

/** The signed-in person (name and role), the practice, and sign-out. */
export function UserMenu({ onShowShortcuts }: { onShowShortcuts: () => void }) {
  const { session } = useAuth();
  const user = useUser();
  const practitionerId = user.fhirUser?.startsWith('Practitioner/') ? user.fhirUser.slice('Practitioner/'.length) : undefined;
  const practitioner = useRead<Practitioner>('Practitioner', practitionerId);
  const name = practitioner.data ? practitionerName(practitioner.data) : undefined;
  const role = roleLabel(user.role);
  return (
    <MenuTrigger>
      <AriaButton className="user-button" aria-label={`Account: ${name ?? role}, ${role}`}>
        <span className="user-button-name">{name ?? role}</span>
        <span className="user-button-role">
          {name ? `${role} · ` : ''}
          {user.practice}
        </span>
      </AriaButton>
      <Popover className="h-popover" placement="bottom end">
        <Menu className="h-menu" onAction={(key) => (key === 'sign-out' ? void session.signOut() : key === 'shortcuts' ? onShowShortcuts() : undefined)}>
          <MenuSection>
            <Header className="h-menu-section-header">
              Signed in as {name ?? 'you'} ({role})
            </Header>
            <MenuItem className="h-menu-item" id="shortcuts">
              Keyboard shortcuts
            </MenuItem>
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
