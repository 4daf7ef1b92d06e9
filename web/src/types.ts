// Shapes of the /v1 API (docs/API.md; protobuf canonical JSON, lowerCamelCase).
// int64 fields (version, seq, counts) arrive as JSON strings ("version":"3") and every scalar is
// present even when empty; readers still default missing fields (see the helpers at the bottom).

export type Role = 'COORDINATOR' | 'ACTOR' | 'MANAGER' | 'ADMIN';

export interface User {
  username: string;
  role: Role;
  node?: string;
  actor?: string;
  displayName?: string;
  name?: string;
}

export interface Named { id: string; name: string }

export interface ConfigActor extends Named {
  level?: string;
  needs?: string[];
  areas?: string[];
  nodes?: string[];
}

export interface AppConfig {
  nodes?: Named[];
  levels?: string[];
  needs?: Named[];
  areas?: Named[];
  actors?: ConfigActor[];
  region?: Named;
}

export interface Company { name?: string; orgNumber?: string; municipality?: string; size?: string; industry?: string }
export interface Contact { name?: string; email?: string; phone?: string }
export interface Match { actor: string; score?: number; reasons?: string[] }
export interface Outcome { kind?: string; note?: string }
export interface Effect { kind?: string; note?: string }
export interface RecordedEffect { effect?: Effect; monthsAfterClose?: number; time?: string }

export interface Case {
  id: string;
  title?: string;
  description?: string;
  company?: Company;
  contact?: Contact;
  needs?: string[];
  areas?: string[];
  node?: string;
  level?: string;
  highestLevel?: string;
  state?: string;
  candidates?: string[];
  declined?: string[];
  assignee?: string;
  matches?: Match[];
  outcome?: Outcome;
  feedback?: string;
  parentId?: string;
  childIds?: string[];
  offerIds?: string[];
  effects?: RecordedEffect[];
  version?: number | string;
  createTime?: string;
  updateTime?: string;
  stateTime?: string;
  deadline?: string;
  allowedActions?: string[];
  anonymised?: boolean;
}

export interface CaseList { cases?: Case[]; nextPageToken?: string }
/** POST /v1/cases answers 201 with the case itself at the top level, plus `relatedCases`. */
export interface CreateCaseResponse extends Case { relatedCases?: Case[] }

export interface CaseEvent {
  seq?: number | string;
  type?: string;
  time?: string;
  user?: string;
  level?: string;
  fromLevel?: string;
  fromState?: string;
  toState?: string;
  reason?: string;
  action?: string;
  actor?: string;
  matches?: Match[];
  needs?: string[];
  areas?: string[];
  outcome?: Outcome;
  effect?: Effect;
  monthsAfterClose?: number;
  offerId?: string;
  relatedCaseId?: string;
  feedback?: string;
  caseId?: string;
}

export interface Offer {
  id: string;
  actor?: string;
  level?: string;
  kind?: string;
  title?: string;
  description?: string;
  needs?: string[];
  areas?: string[];
  nodes?: string[];
  url?: string;
  validFrom?: string;
  validUntil?: string;
  state?: string;
  recipients?: OfferRecipient[];
}

export interface OfferRecipient { level?: string; actors?: string[]; nodes?: string[]; time?: string }

/** GET /v1/cases/{id}/suggestedOffers. */
export interface SuggestedOffers { offers?: { offer?: Offer; score?: number; reasons?: string[] }[] }

export interface OfferList { offers?: Offer[]; nextPageToken?: string }
export interface InboxItem { offer?: Offer; matchingCases?: Case[] }
export interface Inbox { entries?: InboxItem[] }

export interface Percentiles { p50?: string; p90?: string }
export interface Summary {
  total?: number | string;
  byState?: Record<string, number | string>;
  byNode?: Record<string, number | string>;
  byLevelReached?: Record<string, number | string>;
  byNeed?: Record<string, number | string>;
  byArea?: Record<string, number | string>;
  byOutcome?: Record<string, number | string>;
  byEffect?: Record<string, number | string>;
  escalationRate?: number;
  leakage?: number;
  timeToClaim?: Percentiles;
  timeToResolve?: Percentiles;
  idleTime?: Percentiles;
  openAge?: Record<string, number | string>;
  slaBreaches?: number | string;
  open?: number | string;
}

export interface FlowLink { source: string; target: string; value: number | string }
export interface Flow { links?: FlowLink[] }

export interface TimePoint { start?: string; time?: string; bucket?: string; value?: number | string; count?: number | string }
export interface TimeSeries { points?: TimePoint[]; series?: TimePoint[]; buckets?: TimePoint[] }

export interface WorkflowState { name: string; terminal?: boolean; open?: boolean }
export interface WorkflowTransition { name: string; from?: string[]; to?: string; roles?: string[] }
export interface Workflow { states?: WorkflowState[]; transitions?: WorkflowTransition[] }

export interface FieldError { field?: string; description?: string }

export const num = (v: number | string | undefined | null): number => {
  if (v === undefined || v === null || v === '') return 0;
  const n = typeof v === 'number' ? v : Number(v);
  return Number.isFinite(n) ? n : 0;
};

export const OPEN_STATES = ['NEW', 'TRIAGED', 'MATCHED', 'CLAIMED', 'IN_PROGRESS', 'WAITING'];
export const ALL_STATES = [...OPEN_STATES, 'RESOLVED', 'CLOSED', 'UNMATCHED', 'WITHDRAWN', 'REJECTED'];
export const LEVELS = ['LOCAL', 'REGIONAL', 'NATIONAL', 'INTERNATIONAL'];
export const OUTCOME_KINDS = ['SOLUTION', 'NETWORK', 'COLLABORATION', 'NEW_PROJECT', 'FINANCING', 'REFERRAL', 'NO_ACTION'];
export const EFFECT_KINDS = ['FUNDING_GRANTED', 'COLLABORATION_STARTED', 'PEOPLE_HIRED', 'NEW_PROJECT', 'GROWTH', 'NOTHING'];
export const OFFER_KINDS = ['PROJECT', 'ANALYSIS', 'NETWORK', 'COLLABORATION', 'TREND', 'FUNDING_CALL', 'EVENT'];
export const COMPANY_SIZES = ['MICRO', 'SMALL', 'MEDIUM', 'LARGE'];
