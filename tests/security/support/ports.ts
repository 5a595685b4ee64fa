/**
 * The ports this suite listens on, kept apart from the other suites' (integration 3200s,
 * end to end 3100 and 3500s), so the suites can run at the same time on one machine.
 */
export const SECURITY_PORTS = {
  /** The app instance under attack: the first free port of 3600-3604. */
  app: 3600,
  /** Local listeners that count outbound requests (hits for jku, x5u, SSRF URLs): 3610-3649. */
  listenerFrom: 3610,
  listenerTo: 3649,
} as const;
