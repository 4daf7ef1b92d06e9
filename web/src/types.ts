// Types of the /v1 API. The messages are generated from proto/tillvaxt/api/v1/*.proto at build
// time (scripts/gen-api-types.mjs → src/gen/api.ts, protobuf canonical JSON): a field renamed
// in the proto breaks `npm run build`, not the app. Only the few shapes the server sends that
// are not protobuf messages are written by hand below, each marked so.
export type * from './gen/api';
import type { Case, CaseEvent } from './gen/api';

// ---- Hand-written: shapes not in proto/ (docs/API-NOTES.md) ----

/** HAND-WRITTEN (not in proto): one entry of `error.details[]` in an error answer. */
export interface FieldError { field?: string; description?: string }

/** HAND-WRITTEN (not in proto): the body of every error answer (docs/API-NOTES.md "Errors"). */
export interface ErrorBody {
  error?: { code?: number; status?: string; message?: string; details?: FieldError[] };
}

/**
 * HAND-WRITTEN (not in proto): one message of GET /v1/stream (Server-Sent Events). `event:` is
 * the event's type name and `data:` the CaseEvent as JSON; `id:` is the position to resume
 * after. The set of type names is the engine's, not the app's: every message is handled.
 */
export interface StreamMessage { id: string; event: string; data?: CaseEvent }

/** A role as the API spells it (User.role is a string in proto). */
export type Role = 'COORDINATOR' | 'ACTOR' | 'MANAGER' | 'ADMIN';

// ---- Helpers for reading proto3 JSON ----

/** int64 fields are strings, counts may be missing: a number either way (0 when absent). */
export const num = (v: number | string | undefined | null): number => {
  if (v === undefined || v === null || v === '') return 0;
  const n = typeof v === 'number' ? v : Number(v);
  return Number.isFinite(n) ? n : 0;
};

/** A case's id; every case the server sends has one, the generated type says "optional". */
export const caseId = (c: Case): string => c.id ?? '';

// ---- Vocabularies that are neither configuration nor workflow ----
// Offer kinds and company sizes are fixed by the engine (proto comments in offers.proto and
// cases.proto) and not served by /v1/config. States, levels, outcome and effect kinds are
// not listed here: they come from /v1/workflow and /v1/config.
export const OFFER_KINDS = ['PROJECT', 'ANALYSIS', 'NETWORK', 'COLLABORATION', 'TREND', 'FUNDING_CALL', 'EVENT'];
export const COMPANY_SIZES = ['MICRO', 'SMALL', 'MEDIUM', 'LARGE'];

/** Select/checkbox options from configured items ({id, name}); items without an id are left out. */
export const namedOptions = (list?: { id?: string; name?: string }[]): { value: string; label: string }[] =>
  (list ?? []).filter((x) => x.id).map((x) => ({ value: x.id as string, label: x.name || (x.id as string) }));
