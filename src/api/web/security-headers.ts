/**
 * Response headers of the web app. The CSP allows only the app's own scripts, styles and API:
 * no inline script or style, no eval, no framing, no plugins, no <base> rewriting, forms only to
 * this server (the sign-in pages post here). connect-src 'self' also covers the inbox's websocket
 * (`ws:`/`wss:` to the same host and port, as CSP 3 matches 'self').
 * @see https://www.w3.org/TR/CSP3/
 */
/** sha256 of react-aria's usePress and usePreventScroll style texts (react-aria 3.x / react-aria-components 1.22). */
const REACT_ARIA_STYLE_HASHES = ['sha256-38RhXrc7EdReTKsOm23ZPOCUgniTUUcjky8QOOrQx6o=', 'sha256-gYiS/BvZvRcK27JIXTuwhZ3hs2+VJ1X+2gUlE+farlg='];

export const WEB_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  // react-aria adds two fixed <style> elements (touch-action on pressable elements; overscroll
  // on iOS while a modal is open): allowed by their hashes, nothing else inline. The browser tests
  // fail on any CSP violation, so an upgrade that changes them is caught.
  `style-src 'self' ${REACT_ARIA_STYLE_HASHES.map((h) => `'${h}'`).join(' ')}`,
  "connect-src 'self'",
  "img-src 'self' data: blob:",
  // The documents screen shows a PDF in the browser's viewer from a blob URL the app makes from
  // bytes it checked are a PDF (web/src/documents); no other frame can load.
  "frame-src blob:",
  "font-src 'self'",
  "manifest-src 'self'",
  "frame-ancestors 'none'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

/** Headers on every response of the web app (pages and assets). */
export const WEB_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': WEB_CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=()',
};

/** Content-hashed files never change under their name: cache them for a year. */
export const IMMUTABLE_CACHE = 'public, max-age=31536000, immutable';
/** index.html names the current hashed files: always revalidate it. */
export const NO_CACHE = 'no-cache';
