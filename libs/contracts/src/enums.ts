/** Roles carried in the `role` claim of an access token. */
export enum Role {
  END_USER = 'END_USER',
  DEVOPS_ENGINEER = 'DEVOPS_ENGINEER',
  TEAM_LEAD = 'TEAM_LEAD',
  MANAGER = 'MANAGER',
  ADMIN = 'ADMIN',
}

export enum TicketStatus {
  NEW = 'NEW',
  OPEN = 'OPEN',
  IN_PROGRESS = 'IN_PROGRESS',
  PENDING_INFO = 'PENDING_INFO',
  ESCALATED = 'ESCALATED',
  RESOLVED = 'RESOLVED',
  CLOSED = 'CLOSED',
  REOPENED = 'REOPENED',
}

export enum TicketPriority {
  P1 = 'P1',
  P2 = 'P2',
  P3 = 'P3',
  P4 = 'P4',
}

export enum TicketCategory {
  INCIDENT = 'INCIDENT',
  SERVICE_REQUEST = 'SERVICE_REQUEST',
  PROBLEM = 'PROBLEM',
  CHANGE_REQUEST = 'CHANGE_REQUEST',
  QUESTION = 'QUESTION',
}

export enum TicketEnvironment {
  PRODUCTION = 'PRODUCTION',
  STAGING = 'STAGING',
  DEVELOPMENT = 'DEVELOPMENT',
  TESTING = 'TESTING',
}

export enum ImpactLevel {
  CRITICAL = 'CRITICAL',
  HIGH = 'HIGH',
  MEDIUM = 'MEDIUM',
  LOW = 'LOW',
}

export enum CommentType {
  COMMENT = 'COMMENT',
  RESOLUTION = 'RESOLUTION',
  SYSTEM = 'SYSTEM',
}

export enum HistoryChangeType {
  CREATED = 'CREATED',
  STATUS_CHANGE = 'STATUS_CHANGE',
  PRIORITY_CHANGE = 'PRIORITY_CHANGE',
  ASSIGNMENT_CHANGE = 'ASSIGNMENT_CHANGE',
  UPDATE = 'UPDATE',
  COMMENT_ADDED = 'COMMENT_ADDED',
  COMMENT_UPDATED = 'COMMENT_UPDATED',
  COMMENT_DELETED = 'COMMENT_DELETED',
  ATTACHMENT_ADDED = 'ATTACHMENT_ADDED',
  ATTACHMENT_DELETED = 'ATTACHMENT_DELETED',
  RESOLVED = 'RESOLVED',
  CLOSED = 'CLOSED',
  REOPENED = 'REOPENED',
  ESCALATED = 'ESCALATED',
  SLA_BREACH = 'SLA_BREACH',
  DELETED = 'DELETED',
  LINK_ADDED = 'LINK_ADDED',
  LINK_REMOVED = 'LINK_REMOVED',
  FOLLOWER_ADDED = 'FOLLOWER_ADDED',
  FOLLOWER_REMOVED = 'FOLLOWER_REMOVED',
  /** On the merged ticket (into_ticket_id) and on the ticket it went into (merged_ticket_id). */
  MERGED = 'MERGED',
  /** A comment or attachment moved by a merge: one row on each ticket. */
  COMMENT_MOVED = 'COMMENT_MOVED',
  ATTACHMENT_MOVED = 'ATTACHMENT_MOVED',
}

/** The link types a client may create (`POST /tickets/{id}/links`). */
export enum TicketLinkType {
  /** Symmetric: shown as RELATES_TO from both tickets. */
  RELATES_TO = 'RELATES_TO',
  /** The source blocks the target; seen from the target it is BLOCKED_BY. No cycles. */
  BLOCKS = 'BLOCKS',
  /** The source duplicates the target; seen from the target it is DUPLICATED_BY. */
  DUPLICATE_OF = 'DUPLICATE_OF',
  /** The source was caused by the target; seen from the target it is CAUSES. */
  CAUSED_BY = 'CAUSED_BY',
}

/** A link as seen from one of its tickets (`GET /tickets/{id}/links`): the type, or its inverse. */
export enum TicketLinkRelation {
  RELATES_TO = 'RELATES_TO',
  BLOCKS = 'BLOCKS',
  BLOCKED_BY = 'BLOCKED_BY',
  DUPLICATE_OF = 'DUPLICATE_OF',
  DUPLICATED_BY = 'DUPLICATED_BY',
  CAUSED_BY = 'CAUSED_BY',
  CAUSES = 'CAUSES',
}

/** What `POST /tickets/bulk` does to each ticket; each action is the single endpoint of the same name. */
export enum BulkTicketAction {
  STATUS = 'status',
  ASSIGN = 'assign',
  PRIORITY = 'priority',
  TAGS = 'tags',
  TEAM = 'team',
}

export enum TeamMemberRole {
  LEAD = 'LEAD',
  MEMBER = 'MEMBER',
}

/** Machine-readable `error_code` of every error body. */
export enum ErrorCode {
  VALIDATION_ERROR = 'VALIDATION_ERROR',
  UNAUTHORIZED = 'UNAUTHORIZED',
  FORBIDDEN = 'FORBIDDEN',
  NOT_FOUND = 'NOT_FOUND',
  INVALID_STATUS_TRANSITION = 'INVALID_STATUS_TRANSITION',
  REOPEN_WINDOW_EXPIRED = 'REOPEN_WINDOW_EXPIRED',
  TICKET_CLOSED = 'TICKET_CLOSED',
  CONFLICT = 'CONFLICT',
  IDEMPOTENCY_KEY_IN_USE = 'IDEMPOTENCY_KEY_IN_USE',
  PRECONDITION_FAILED = 'PRECONDITION_FAILED',
  PAYLOAD_TOO_LARGE = 'PAYLOAD_TOO_LARGE',
  UNSUPPORTED_FILE_TYPE = 'UNSUPPORTED_FILE_TYPE',
  FILE_INFECTED = 'FILE_INFECTED',
  IDEMPOTENCY_KEY_REUSED = 'IDEMPOTENCY_KEY_REUSED',
  RATE_LIMITED = 'RATE_LIMITED',
  INTERNAL_ERROR = 'INTERNAL_ERROR',
  SCAN_UNAVAILABLE = 'SCAN_UNAVAILABLE',
  SERVICE_UNAVAILABLE = 'SERVICE_UNAVAILABLE',
  INSUFFICIENT_STORAGE = 'INSUFFICIENT_STORAGE',
}

/** `status` of an incoming alert (generic form and Alertmanager). */
export enum AlertStatus {
  FIRING = 'firing',
  RESOLVED = 'resolved',
}

/** `severity` of an alert; it decides the ticket's priority unless a `priority` label overrides it. */
export enum AlertSeverity {
  CRITICAL = 'critical',
  HIGH = 'high',
  WARNING = 'warning',
  INFO = 'info',
}

/** What the intake did with one alert. */
export enum AlertOutcome {
  /** A new ticket was opened (linked to the fingerprint's previous ticket, if any). */
  CREATED = 'created',
  /** A repeat firing of an open ticket's fingerprint: counted on that ticket. */
  DEDUPLICATED = 'deduplicated',
  /** A firing within ALERT_REOPEN_WINDOW_MINUTES of its ticket's resolution reopened that ticket. */
  REOPENED = 'reopened',
  /** A resolved alert added its internal note to the open ticket (and resolved it with ALERT_AUTO_RESOLVE). */
  RESOLVED_NOTE = 'resolved_note',
  /** Nothing to do: a resolved alert without an open ticket, or one already noted. */
  IGNORED = 'ignored',
}
