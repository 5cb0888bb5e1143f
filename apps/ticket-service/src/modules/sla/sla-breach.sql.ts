/**
 * SQL twins of computeBreaches() and computeWarnings() over `tickets t`, with `:now` bound: the list filter and the breach scanner
 * use them, and the e2e tests check that they agree with the flags computed in code.
 */
export const RESPONSE_BREACHED_SQL = `(t.response_due_at IS NOT NULL AND COALESCE(t.first_response_at, :now) > t.response_due_at)`;

export const RESOLUTION_BREACHED_SQL = `(t.resolution_due_at IS NOT NULL AND COALESCE(t.resolved_at, :now) > t.resolution_due_at
  + CASE WHEN t.resolved_at IS NULL AND t.pending_since IS NOT NULL THEN (:now - t.pending_since) ELSE interval '0' END)`;

export const BREACHED_SQL = `(${RESPONSE_BREACHED_SQL} OR ${RESOLUTION_BREACHED_SQL})`;

/** Share of a target after which the scanner warns that a breach is coming. */
export const SLA_WARNING_SHARE = 0.8;

/** Unanswered, not yet due, and past the stored warning instant of the response target. */
export const RESPONSE_WARNING_SQL = `(t.response_due_at IS NOT NULL AND t.first_response_at IS NULL AND :now < t.response_due_at
  AND :now >= t.response_warning_at)`;

/** Unresolved, not paused, not yet due, and past the stored warning instant of the resolution clock. */
export const RESOLUTION_WARNING_SQL = `(t.resolution_due_at IS NOT NULL AND t.resolved_at IS NULL AND t.pending_since IS NULL
  AND :now < t.resolution_due_at AND :now >= t.resolution_warning_at)`;
