import type { ReactNode } from 'react';
import { Button as AriaButton, Link as AriaLink, type ButtonProps as AriaButtonProps, type LinkProps as AriaLinkProps } from 'react-aria-components';

export type ButtonVariant = 'primary' | 'secondary' | 'quiet' | 'danger';

export interface ButtonProps extends Omit<AriaButtonProps, 'className' | 'children'> {
  variant?: ButtonVariant;
  size?: 'md' | 'sm';
  children: ReactNode;
}

/** A button (react-aria: press events that work the same for mouse, touch and keyboard). */
export function Button({ variant = 'secondary', size = 'md', children, ...props }: ButtonProps) {
  return (
    <AriaButton {...props} className="h-button" data-variant={variant} data-size={size}>
      {children}
    </AriaButton>
  );
}

export interface ButtonLinkProps extends Omit<AriaLinkProps, 'className' | 'children'> {
  variant?: ButtonVariant;
  size?: 'md' | 'sm';
  children: ReactNode;
}

/** A link that looks like a button: for navigation (it has an href, opens in a new tab, etc.). */
export function ButtonLink({ variant = 'secondary', size = 'md', children, ...props }: ButtonLinkProps) {
  return (
    <AriaLink {...props} className="h-button" data-variant={variant} data-size={size}>
      {children}
    </AriaLink>
  );
}
