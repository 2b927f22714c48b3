import { useCallback, type ReactNode } from 'react';
import { RouterProvider as AriaRouterProvider } from 'react-aria-components';
import { useHref, useNavigate, type NavigateOptions } from 'react-router';
import { FhirProvider } from '../fhir/fhir-context.tsx';

declare module 'react-aria-components' {
  interface RouterConfig {
    routerOptions: NavigateOptions;
  }
}

/** What every signed-in frame (the clinician shell, the portal) has: the skip link to its `<main id="main">`, router-aware links and the FHIR client. */
export function SignedInProviders({ children }: { children: ReactNode }) {
  const navigate = useNavigate();
  const ariaNavigate = useCallback((to: string, options?: NavigateOptions) => void navigate(to, options), [navigate]);
  return (
    <AriaRouterProvider navigate={ariaNavigate} useHref={useHref}>
      <FhirProvider>
        <a className="skip-link" href="#main">
          Skip to main content
        </a>
        {children}
      </FhirProvider>
    </AriaRouterProvider>
  );
}
