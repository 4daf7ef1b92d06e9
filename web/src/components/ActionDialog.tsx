// The dialog for one workflow action on a case: asks for exactly the fields that action
// needs (docs/API.md), validates them, sends them with `expectedVersion`, and shows the API's
// field errors next to the field. What is typed is kept as a draft until the action succeeds.
import { useState } from 'preact/hooks';
import { caseAction, ApiError } from '../api';
import { useT, fmt } from '../i18n';
import { useAppState } from '../store';
import { useDraft } from '../drafts';
import type { Case, Offer } from '../types';
import { num, OUTCOME_KINDS, EFFECT_KINDS } from '../types';
import { Dialog } from './Dialog';
import { TextField, TextArea, Select, CheckboxGroup, Alert } from './Field';

const REASON_VERBS = ['escalate', 'decline', 'release', 'wait', 'withdraw', 'reject', 'reopen'];
const FIELD_VERBS = [...REASON_VERBS, 'triage', 'reassign', 'resolve', 'close', 'followUp', 'recordEffect', 'linkOffer'];

export const needsDialog = (verb: string) => FIELD_VERBS.includes(verb);

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
  const initial: Fields = {
    reason: '', needs: verb === 'triage' ? c.needs ?? [] : [], areas: verb === 'triage' ? c.areas ?? [] : [],
    actor: '', outcomeKind: '', note: '', feedback: '', title: '', description: '', effectKind: '', months: '3',
    offerId: presetOffer ?? '',
  };
  const [f, setF, , clearDraft] = useDraft<Fields>(`action:${c.id}:${verb}`, initial);
  const [errs, setErrs] = useState<Record<string, string>>({});
  const [top, setTop] = useState('');
  const [busy, setBusy] = useState(false);
  const set = <K extends keyof Fields>(k: K, v: Fields[K]) => setF((o) => ({ ...o, [k]: v }));
  const cfg = st.config;
  const needOpts = (cfg?.needs ?? []).map((x) => ({ value: x.id, label: x.name }));
  const areaOpts = (cfg?.areas ?? []).map((x) => ({ value: x.id, label: x.name }));
  const reasonNeeded = REASON_VERBS.includes(verb) || verb === 'reassign';

  const validate = (): Record<string, string> => {
    const x: Record<string, string> = {};
    if (reasonNeeded && !f.reason.trim()) x.reason = m.requiredField;
    if (verb === 'triage' && f.needs.length === 0) x.needs = m.chooseAtLeastOne;
    if (verb === 'reassign' && !f.actor) x.actor = m.requiredField;
    if (verb === 'resolve' && !f.outcomeKind) x['outcome.kind'] = m.requiredField;
    if (verb === 'followUp' && !f.title.trim()) x.title = m.requiredField;
    if (verb === 'recordEffect') {
      if (!f.effectKind) x['effect.kind'] = m.requiredField;
      const mo = Number(f.months);
      if (!Number.isInteger(mo) || mo < 1 || mo > 120) x.monthsAfterClose = '1–120';
    }
    if (verb === 'linkOffer' && !f.offerId.trim()) x.offerId = m.requiredField;
    return x;
  };

  const body = (): Record<string, unknown> => {
    const b: Record<string, unknown> = { expectedVersion: String(num(c.version)) };
    if (reasonNeeded) b.reason = f.reason.trim();
    switch (verb) {
      case 'triage': b.needs = f.needs; b.areas = f.areas; break;
      case 'reassign': b.actor = f.actor; break;
      case 'resolve': b.outcome = { kind: f.outcomeKind, note: f.note.trim() }; break;
      case 'close': b.feedback = f.feedback.trim(); break;
      case 'followUp': b.title = f.title.trim(); b.description = f.description.trim(); b.needs = f.needs; b.areas = f.areas; break;
      case 'recordEffect': b.effect = { kind: f.effectKind, note: f.note.trim() }; b.monthsAfterClose = Number(f.months); break;
      case 'linkOffer': b.offerId = f.offerId.trim(); break;
    }
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
      await caseAction<Case>(c.id, verb, body());
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
    .filter((a) => a.id !== assignee && (a.needs ?? []).some((x) => (c.needs ?? []).includes(x)))
    .map((a) => ({ value: a.id, label: `${a.name} (${n.level(a.level)})` }));
  const offerOpts = suggested.filter((o) => !(c.offerIds ?? []).includes(o.id)).map((o) => ({ value: o.id, label: `${o.title ?? o.id} – ${n.actor(o.actor)}` }));
  if (presetOffer && !offerOpts.some((o) => o.value === presetOffer)) offerOpts.unshift({ value: presetOffer, label: presetOffer });

  return (
    <Dialog title={`${n.action(verb)}: ${c.title ?? c.id}`} onClose={onClose} id={`dlg-${verb}`}>
      <form onSubmit={submit} noValidate class="dialog-form" data-verb={verb}>
        <p class="hint">{e.actionHelp[verb] ?? ''}</p>
        {top && <Alert kind="error">{top}</Alert>}
        {verb === 'followUp' && (
          <>
            <TextField id={fieldId('title')} label={m.fTitle} value={f.title} onInput={(v) => set('title', v)} required error={errs.title} maxLength={200} />
            <TextArea id={fieldId('description')} label={m.fDescription} value={f.description} onInput={(v) => set('description', v)} error={errs.description} />
          </>
        )}
        {(verb === 'triage' || verb === 'followUp') && (
          <>
            <CheckboxGroup id={fieldId('needs')} label={m.fNeeds} values={f.needs} onChange={(v) => set('needs', v)} options={needOpts} required={verb === 'triage'} error={errs.needs} />
            <CheckboxGroup id={fieldId('areas')} label={m.fAreas} values={f.areas} onChange={(v) => set('areas', v)} options={areaOpts} error={errs.areas} />
          </>
        )}
        {verb === 'reassign' && (
          <Select id={fieldId('actor')} label={m.fActor} value={f.actor} onChange={(v) => set('actor', v)} options={actorOpts} empty={m.choose} required error={errs.actor} />
        )}
        {verb === 'resolve' && (
          <>
            <Select id={fieldId('outcome.kind')} label={m.fOutcomeKind} value={f.outcomeKind} onChange={(v) => set('outcomeKind', v)} empty={m.choose}
              options={OUTCOME_KINDS.map((k) => ({ value: k, label: e.outcome[k] ?? k }))} required error={errs['outcome.kind']} />
            <TextArea id={fieldId('outcome.note')} label={m.fNote} value={f.note} onInput={(v) => set('note', v)} error={errs['outcome.note']} rows={3} />
          </>
        )}
        {verb === 'close' && (
          <TextArea id={fieldId('feedback')} label={m.fFeedback} value={f.feedback} onInput={(v) => set('feedback', v)} error={errs.feedback} rows={3} />
        )}
        {verb === 'recordEffect' && (
          <>
            <Select id={fieldId('effect.kind')} label={m.fEffectKind} value={f.effectKind} onChange={(v) => set('effectKind', v)} empty={m.choose}
              options={EFFECT_KINDS.map((k) => ({ value: k, label: e.effect[k] ?? k }))} required error={errs['effect.kind']} />
            <TextField id={fieldId('monthsAfterClose')} label={m.fMonthsAfterClose} type="number" inputMode="numeric" value={f.months}
              onInput={(v) => set('months', v)} required error={errs.monthsAfterClose} />
            <TextArea id={fieldId('effect.note')} label={m.fNote} value={f.note} onInput={(v) => set('note', v)} error={errs['effect.note']} rows={3} />
          </>
        )}
        {verb === 'linkOffer' && (
          offerOpts.length > 0
            ? <Select id={fieldId('offerId')} label={m.fOffer} value={f.offerId} onChange={(v) => set('offerId', v)} options={offerOpts} empty={m.choose} required error={errs.offerId} />
            : <TextField id={fieldId('offerId')} label={m.fOfferId} value={f.offerId} onInput={(v) => set('offerId', v)} required error={errs.offerId} />
        )}
        {reasonNeeded && (
          <TextArea id={fieldId('reason')} label={m.reason} value={f.reason} onInput={(v) => set('reason', v)} required error={errs.reason} rows={3} />
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
