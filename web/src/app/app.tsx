import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { useState } from 'react';
import { RouterProvider } from 'react-router';
import { AuthProvider } from '../auth/auth-context.tsx';
import type { ServerConfig } from '../auth/server-config.ts';
import { FhirApiError } from '../fhir/fhir-client.ts';
import { NotConfigured } from './not-configured.tsx';
import { createAppRouter } from './routes.tsx';

/** The root: server config, session, data cache, routes. */
export function App({ config }: { config: ServerConfig | undefined }) {
  const [queryClient] = useState(
    () =>
      new QueryClient({
        defaultOptions: {
          queries: {
            staleTime: 30_000,
            // A refusal (4xx) will not change by asking again; a network or server error may.
            retry: (count, error) => count < 2 && !(error instanceof FhirApiError && error.status >= 400 && error.status < 500),
          },
        },
      }),
  );
  const [router] = useState(() => createAppRouter());
  if (!config) return <NotConfigured />;
  return (
    <AuthProvider config={config}>
      <QueryClientProvider client={queryClient}>
        <RouterProvider router={router} />
      </QueryClientProvider>
    </AuthProvider>
  );
}
