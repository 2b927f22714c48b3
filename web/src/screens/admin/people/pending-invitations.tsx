import type { UserPage } from '../../../admin-api/admin-views.ts';
import { ButtonLink, Panel } from '../../../design/index.ts';
import { QueryView } from '../../../fhir/query-view.tsx';
import { useUserPage } from './people-queries.ts';

/** The overview's count of invitations nobody has accepted yet (the first page's worth), linking to them. */
export function PendingInvitations() {
  const invited = useUserPage({ status: 'invited' }, undefined);
  const count = (p: UserPage) => `${p.users.length}${p.next ? '+' : ''}`;
  return (
    <Panel title="Invitations waiting" level={2}>
      <QueryView query={invited} what="pending invitations" skeletonLines={1}>
        {(p) => (
          <>
            <p>{p.users.length === 0 ? 'Everyone invited has set their password.' : `${count(p)} ${p.users.length === 1 && !p.next ? 'person has' : 'people have'} not accepted their invitation yet.`}</p>
            {p.users.length > 0 && <ButtonLink href="/administration/people?status=invited">See invitations</ButtonLink>}
          </>
        )}
      </QueryView>
    </Panel>
  );
}
