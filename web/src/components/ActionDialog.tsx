// The dialog for one workflow transition on a case. Which fields it asks for follows from the
// transition's effect in this region's workflow (src/workflow.ts: effect → fields, and
// `reasonRequired`), so a workflow with other transition names works unchanged. It validates
// them, sends them with `expectedVersion`, and shows the API's field errors next to the field.
// What is typed is kept as a draft until the action succeeds.
import { useState } from 'preact/hooks';
import { caseAction, ApiError } from '../api';
import { useT, fmt } from '../i18n';
import { useAppState } from '../store';
import { useDraft } from '../drafts';
import type { Case, Offer } from '../types';
import { num, caseId } from '../types';
import { actionFields, reasonField, effectOf, outcomeKinds, effectKinds, type ActionField } from '../workflow';
import { Dialog } from './Dialog';
import { TextField, TextArea, Select, CheckboxGroup, Alert } from './Field';

interface Fields {
  reason: string;
  needs: string[];
  areas: string[];
  actor: string;
  outcomeKind: string;
  note: string;
  feedback: string;
  title: string;
  description: string;
  effectKind: string;
  months: string;
  offerId: string;
}

export function ActionDialog({ c, verb, presetOffer, suggested, onClose, onDone }: {
  c: Case;
  verb: string;
  presetOffer?: string;
  suggested: Offer[];
  onClose: () => void;
  onDone: (verb: string, err?: ApiError) => void;
}) {
  const { m, n, e } = useT();
  const st = useAppState();
  const wf = st.workflow;
  const specs = actionFields(wf, verb);
  const has = (k: ActionField) => specs.some((x) => x.field === k);
  const required = (k: ActionField) => specs.some((x) => x.field === k && x.required);
  const reasonMode = reasonField(wf, verb);
  const effect = effectOf(wf, verb);
  // Classifying starts from what the case already has; a follow-up from nothing.
  const initial: Fields = {
    reason: '', needs: effect === 'TRIAGE' ? c.needs ?? [] : [], areas: effect === 'TRIAGE' ? c.areas ?? [] : [],
    actor: '', outcomeKind: '', note: '', feedback: '', title: '', description: '', effectKind: '', months: '3',
    offerId: presetOffer ?? '',
  };
  const [f, setF, , clearDraft] = useDraft<Fields>(`action:${caseId(c)}:${verb}`, initial);
  const [errs, setErrs] = useState<Record<string, string>>({});
  const [top, setTop] = useState('');
  const [busy, setBusy] = useState(false);
  const set = <K extends keyof Fields>(k: K, v: Fields[K]) => setF((o) => ({ ...o, [k]: v }));
  const cfg = st.config;
  const needOpts = (cfg?.needs ?? []).map((x) => ({ value: x.id ?? '', label: x.name || x.id || '' }));
  const areaOpts = (cfg?.areas ?? []).map((x) => ({ value: x.id ?? '', label: x.name || x.id || '' }));
  const reasonShown = reasonMode !== 'none';

  const validate = (): Record<string, string> => {
    const x: Record<string, string> = {};
    if (reasonMode === 'required' && !f.reason.trim()) x.reason = m.requiredField;
    if (required('needs') && f.needs.length === 0) x.needs = m.chooseAtLeastOne;
    if (required('actor') && !f.actor) x.actor = m.requiredField;
    if (required('outcome.kind') && !f.outcomeKind) x['outcome.kind'] = m.requiredField;
    if (required('title') && !f.title.trim()) x.title = m.requiredField;
    if (required('effect.kind') && !f.effectKind) x['effect.kind'] = m.requiredField;
    if (has('monthsAfterClose')) {
      const mo = Number(f.months);
      if (!Number.isInteger(mo) || mo < 1 || mo > 120) x.monthsAfterClose = '1–120';
    }
    if (required('offerId') && !f.offerId.trim()) x.offerId = m.requiredField;
    return x;
  };

  // The ActionRequest (cases.proto) with exactly the fields this transition's effect reads.
  const body = (): Record<string, unknown> => {
    const b: Record<string, unknown> = { expectedVersion: String(num(c.version)) };
    if (reasonShown && f.reason.trim()) b.reason = f.reason.trim();
    if (has('title')) b.title = f.title.trim();
    if (has('description')) b.description = f.description.trim();
    if (has('needs')) b.needs = f.needs;
    if (has('areas')) b.areas = f.areas;
    if (has('actor')) b.actor = f.actor;
    if (has('outcome.kind')) b.outcome = { kind: f.outcomeKind, note: f.note.trim() };
    if (has('feedback')) b.feedback = f.feedback.trim();
    if (has('effect.kind')) b.effect = { kind: f.effectKind, note: f.note.trim() };
    if (has('monthsAfterClose')) b.monthsAfterClose = Number(f.months);
    if (has('offerId')) b.offerId = f.offerId.trim();
    return b;
  };

  const submit = async (ev: Event) => {
    ev.preventDefault();
    const v = validate();
    setErrs(v);
    setTop('');
    if (Object.keys(v).length) {
      const firstId = fieldId(Object.keys(v)[0]);
      window.setTimeout(() => document.getElementById(firstId)?.focus(), 0);
      return;
    }
    setBusy(true);
    try {
      await caseAction<Case>(caseId(c), verb, body());
      clearDraft();
      onDone(verb);
    } catch (x) {
      const a = x as ApiError;
      setBusy(false);
      if (a.isUnauthenticated) { setTop(m.sessionExpired); return; }
      if (a.isNetwork) { setTop(m.offline); return; }
      const fe: Record<string, string> = {};
      (a.details ?? []).forEach((d) => { if (d.field) fe[normField(d.field)] = d.description || a.message; });
      if (Object.keys(fe).length) { setErrs(fe); setTop(a.message); return; }
      if (a.httpStatus === 409 || a.httpStatus === 403 || a.httpStatus === 404) { onDone(verb, a); return; }
      setTop(a.message);
    }
  };

  const fieldId = (k: string) => `ad-${k.replace(/\W/g, '-')}`;
  const assignee = c.assignee;
  const actorOpts = (cfg?.actors ?? [])
    .filter((a) => a.id && a.id !== assignee && (a.needs ?? []).some((x) => (c.needs ?? []).includes(x)))
    .map((a) => ({ value: a.id ?? '', label: `${a.name || a.id} (${n.level(a.level)})` }));
  const offerOpts = suggested.filter((o) => o.id && !(c.offerIds ?? []).includes(o.id))
    .map((o) => ({ value: o.id ?? '', label: `${o.title || o.id} – ${n.actor(o.actor)}` }));
  if (presetOffer && !offerOpts.some((o) => o.value === presetOffer)) offerOpts.unshift({ value: presetOffer, label: presetOffer });

  return (
    <Dialog title={`${n.action(verb)}: ${c.title || caseId(c)}`} onClose={onClose} id={`dlg-${verb}`}>
      <form onSubmit={submit} noValidate class="dialog-form" data-verb={verb}>
        <p class="hint">{e.actionHelp[verb] ?? e.effectHelp[effect] ?? ''}</p>
        {top && <Alert kind="error">{top}</Alert>}
        {has('title') && (
          <TextField id={fieldId('title')} label={m.fTitle} value={f.title} onInput={(v) => set('title', v)} required={required('title')} error={errs.title} maxLength={200} />
        )}
        {has('description') && (
          <TextArea id={fieldId('description')} label={m.fDescription} value={f.description} onInput={(v) => set('description', v)} error={errs.description} />
        )}
        {has('needs') && (
          <CheckboxGroup id={fieldId('needs')} label={m.fNeeds} values={f.needs} onChange={(v) => set('needs', v)} options={needOpts} required={required('needs')} error={errs.needs} />
        )}
        {has('areas') && (
          <CheckboxGroup id={fieldId('areas')} label={m.fAreas} values={f.areas} onChange={(v) => set('areas', v)} options={areaOpts} error={errs.areas} />
        )}
        {has('actor') && (
          <Select id={fieldId('actor')} label={m.fActor} value={f.actor} onChange={(v) => set('actor', v)} options={actorOpts} empty={m.choose} required={required('actor')} error={errs.actor} />
        )}
        {has('outcome.kind') && (
          <Select id={fieldId('outcome.kind')} label={m.fOutcomeKind} value={f.outcomeKind} onChange={(v) => set('outcomeKind', v)} empty={m.choose}
            options={outcomeKinds(cfg).map((k) => ({ value: k, label: n.outcome(k) }))} required={required('outcome.kind')} error={errs['outcome.kind']} />
        )}
        {has('outcome.note') && (
          <TextArea id={fieldId('outcome.note')} label={m.fNote} value={f.note} onInput={(v) => set('note', v)} error={errs['outcome.note']} rows={3} />
        )}
        {has('feedback') && (
          <TextArea id={fieldId('feedback')} label={m.fFeedback} value={f.feedback} onInput={(v) => set('feedback', v)} error={errs.feedback} rows={3} />
        )}
        {has('effect.kind') && (
          <Select id={fieldId('effect.kind')} label={m.fEffectKind} value={f.effectKind} onChange={(v) => set('effectKind', v)} empty={m.choose}
            options={effectKinds(cfg).map((k) => ({ value: k, label: n.effect(k) }))} required={required('effect.kind')} error={errs['effect.kind']} />
        )}
        {has('monthsAfterClose') && (
          <TextField id={fieldId('monthsAfterClose')} label={m.fMonthsAfterClose} type="number" inputMode="numeric" value={f.months}
            onInput={(v) => set('months', v)} required error={errs.monthsAfterClose} />
        )}
        {has('effect.note') && (
          <TextArea id={fieldId('effect.note')} label={m.fNote} value={f.note} onInput={(v) => set('note', v)} error={errs['effect.note']} rows={3} />
        )}
        {has('offerId') && (
          offerOpts.length > 0
            ? <Select id={fieldId('offerId')} label={m.fOffer} value={f.offerId} onChange={(v) => set('offerId', v)} options={offerOpts} empty={m.choose} required={required('offerId')} error={errs.offerId} />
            : <TextField id={fieldId('offerId')} label={m.fOfferId} value={f.offerId} onInput={(v) => set('offerId', v)} required={required('offerId')} error={errs.offerId} />
        )}
        {reasonShown && (
          <TextArea id={fieldId('reason')} label={m.reason} value={f.reason} onInput={(v) => set('reason', v)} required={reasonMode === 'required'} error={errs.reason} rows={3} />
        )}
        <div class="form-actions">
          <button type="submit" class="primary" disabled={busy} aria-busy={busy ? 'true' : undefined} data-confirm={verb}>{n.action(verb)}</button>
          <button type="button" class="secondary" onClick={onClose}>{m.cancel}</button>
        </div>
        {Object.keys(errs).length > 0 && <p class="sr-only" role="alert">{fmt(m.formHasErrors, { n: Object.keys(errs).length })}</p>}
      </form>
    </Dialog>
  );
}

// The API may name fields in snake_case or with a request prefix; map to our keys.
function normField(f: string): string {
  return f.replace(/_([a-z])/g, (_, x: string) => x.toUpperCase());
}
