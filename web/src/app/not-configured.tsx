/** The page was not served by `heron serve` (e.g. opened from web/dist directly), so sign-in cannot work. */
export function NotConfigured() {
  return (
    <main className="signed-out-page">
      <h1>Heron cannot start here</h1>
      <p>This page did not come from a Heron server, so it does not know where to sign you in. Open the address that <code>heron serve</code> printed, for example http://localhost:8080.</p>
    </main>
  );
}
