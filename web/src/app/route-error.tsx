import { isRouteErrorResponse, useRouteError } from 'react-router';
import { ErrorState } from '../design/index.ts';

/** A screen that failed to load or threw: never a blank page. */
export function RouteError() {
  const error = useRouteError();
  const message = isRouteErrorResponse(error) ? `${error.status} ${error.statusText}` : error instanceof Error ? error.message : 'Unknown error';
  return (
    <main className="signed-out-page">
      <ErrorState title="This screen could not be shown" message={message} advice="Reload the page. If it keeps happening, tell your practice’s IT contact what you were doing." onRetry={() => window.location.reload()} />
    </main>
  );
}
