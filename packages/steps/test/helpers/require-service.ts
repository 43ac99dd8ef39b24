/**
 * For tests that need a component this machine may lack: returns true when it is present;
 * otherwise warns loudly and returns false (the caller skips), or throws when
 * FLOTILLA_REQUIRE_SERVICES=1 so a CI box that should have it fails instead.
 */
export function present(component: string, available: boolean): boolean {
  if (available) return true;
  const message = `${component} is not available on this machine`;
  if (process.env.FLOTILLA_REQUIRE_SERVICES === '1') throw new Error(`${message} (FLOTILLA_REQUIRE_SERVICES=1)`);
  console.warn(`SKIPPED: ${message}; the test that needs it does not run`);
  return false;
}
