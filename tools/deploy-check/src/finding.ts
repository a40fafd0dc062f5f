// What every check returns: one problem, named precisely enough to fix without reading the check.

/** One problem found in rendered manifests or their sources. */
export interface Finding {
  /** "error" fails the check; "warning" is printed only (e.g. an entry point not written yet). */
  readonly severity: 'error' | 'warning';
  /** The object or file, e.g. "sophia/Deployment/router" or "deploy/Dockerfile". */
  readonly subject: string;
  /** Stable rule id, e.g. "probe.readiness" — tests assert on it. */
  readonly rule: string;
  readonly message: string;
}

/** Shorthand for an error finding. */
export function error(subject: string, rule: string, message: string): Finding {
  return { severity: 'error', subject, rule, message };
}

/** Shorthand for a warning finding. */
export function warning(subject: string, rule: string, message: string): Finding {
  return { severity: 'warning', subject, rule, message };
}
