// What the app knows about the process comes from the server: GET /v1/workflow (states and
// transitions of this region's workflow) and GET /v1/config (ladder, outcome and effect kinds).
// Transition names, their states and who may fire them are configuration; the only thing the
// app fixes is the engine's effect vocabulary (engine/domain/config.h `Effect`), because each
// effect reads a fixed set of command fields (engine/domain/decider.cc, `ActionRequest` in
// cases.proto). The table below maps effect → the fields a dialog asks for.
import type { ConfigView, WorkflowTransition, WorkflowView } from './types';

/** A field an action dialog can ask for; the key is the API's field name in error details. */
export type ActionField =
  | 'title' | 'description' | 'needs' | 'areas' | 'actor'
  | 'outcome.kind' | 'outcome.note' | 'feedback'
  | 'effect.kind' | 'monthsAfterClose' | 'effect.note' | 'offerId';

export interface FieldSpec { field: ActionField; required: boolean }

const req = (field: ActionField): FieldSpec => ({ field, required: true });
const opt = (field: ActionField): FieldSpec => ({ field, required: false });

/**
 * Effect → the command fields the engine reads for it (decider.cc). `reason` is not here: it
 * follows the transition's `reasonRequired`. Unknown effects (a newer engine) ask for nothing
 * beyond the reason; the server's field errors are then shown next to the reason or on top.
 */
export const EFFECT_FIELDS: Record<string, FieldSpec[]> = {
  NONE: [],
  TRIAGE: [req('needs'), opt('areas')],
  ESCALATE: [],
  CLAIM: [],
  DECLINE: [],
  RELEASE: [],
  REASSIGN: [req('actor')],
  RESOLVE: [req('outcome.kind'), opt('outcome.note')],
  REOPEN: [],
  FOLLOW_UP: [req('title'), opt('description'), opt('needs'), opt('areas')],
  RECORD_EFFECT: [req('effect.kind'), req('monthsAfterClose'), opt('effect.note')],
  LINK_OFFER: [req('offerId')],
};

/** Whether a transition is known to the app's workflow copy (else: treated as plain, see below). */
export function findTransition(wf: WorkflowView | null | undefined, name: string): WorkflowTransition | undefined {
  return (wf?.transitions ?? []).find((t) => t.name === name);
}

function isTerminal(wf: WorkflowView | null | undefined, state?: string): boolean {
  return !!state && (wf?.states ?? []).some((s) => s.name === state && s.terminal);
}

/**
 * The fields of one transition's dialog. A transition without an effect records the optional
 * `feedback` of the engine's plain transitions when it ends the case without needing a reason
 * (closing after asking the company); every other plain transition only takes its reason.
 */
export function actionFields(wf: WorkflowView | null | undefined, name: string): FieldSpec[] {
  const t = findTransition(wf, name);
  if (!t) return [];
  const effect = t.effect || 'NONE';
  if (effect === 'NONE') return isTerminal(wf, t.to) && !t.reasonRequired ? [opt('feedback')] : [];
  return EFFECT_FIELDS[effect] ?? [];
}

/**
 * Whether the dialog asks for a reason, and whether it must be given. A transition the app does
 * not find in the workflow (the workflow failed to load) gets an optional reason: the server
 * says so if it wants one.
 */
export function reasonField(wf: WorkflowView | null | undefined, name: string): 'required' | 'optional' | 'none' {
  const t = findTransition(wf, name);
  if (!t) return 'optional';
  return t.reasonRequired ? 'required' : 'none';
}

/** Whether firing the transition needs a dialog (fields to fill), or it fires at once. */
export function needsDialog(wf: WorkflowView | null | undefined, name: string): boolean {
  return actionFields(wf, name).length > 0 || reasonField(wf, name) !== 'none';
}

export const effectOf = (wf: WorkflowView | null | undefined, name: string): string =>
  findTransition(wf, name)?.effect || 'NONE';

/**
 * The main way forward from a state: a transition that changes the state without a reason
 * (triage, claim, start, resolve, close in the shipped workflows). Shown as a primary button.
 */
export function isPrimary(wf: WorkflowView | null | undefined, name: string): boolean {
  const t = findTransition(wf, name);
  if (!t) return false;
  const effect = t.effect || 'NONE';
  return !!t.to && !t.reasonRequired && !(t.from ?? []).includes(t.to) && effect !== 'RELEASE' && effect !== 'REOPEN';
}

/** Names of the transitions with one effect, in workflow order. */
export function transitionsWith(wf: WorkflowView | null | undefined, effect: string): WorkflowTransition[] {
  return (wf?.transitions ?? []).filter((t) => (t.effect || 'NONE') === effect && t.name);
}

/**
 * The states an actor's queue ("Att ta") lists: those a claim can leave from. In the shipped
 * workflows that is MATCHED; another region may name it differently or have more.
 */
export function queueStates(wf: WorkflowView | null | undefined): string[] {
  return [...new Set(transitionsWith(wf, 'CLAIM').flatMap((t) => t.from ?? []))];
}

/** Open (not terminal) states, in workflow order; "open" here means "not finished". */
export const liveStates = (wf: WorkflowView | null | undefined): string[] =>
  (wf?.states ?? []).filter((s) => !s.terminal && s.name).map((s) => s.name as string);

/** States that count as open cases (the workflow's `open` flag). */
export const openStates = (wf: WorkflowView | null | undefined): string[] =>
  (wf?.states ?? []).filter((s) => s.open && s.name).map((s) => s.name as string);

export const allStates = (wf: WorkflowView | null | undefined): string[] =>
  (wf?.states ?? []).map((s) => s.name ?? '').filter(Boolean);

export const outcomeKinds = (cfg: ConfigView | null | undefined): string[] => cfg?.outcomeKinds ?? [];
export const effectKinds = (cfg: ConfigView | null | undefined): string[] => cfg?.effectKinds ?? [];
export const levels = (cfg: ConfigView | null | undefined): string[] => cfg?.levels ?? [];

/**
 * A readable label from an identifier the app has no translation for: "followUp",
 * "send_to_board", "IN_REVIEW", "hand-over" → "Follow up", "Send to board", "In review",
 * "Hand over".
 */
export function humanize(id: string): string {
  const words = id
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_\-.:]+/g, ' ')
    .trim()
    .toLowerCase();
  return words ? words[0].toUpperCase() + words.slice(1) : id;
}
