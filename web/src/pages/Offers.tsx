// Offers: actors publish (POST /v1/offers) and withdraw their own; everyone sees the active
// offers (GET /v1/offers?active=true). The publish form is a sessionStorage draft.
import { useState } from 'preact/hooks';
import { get, post, ApiError } from '../api';
import { useT, fmt } from '../i18n';
import { useAppState, announce } from '../store';
import { useResource } from '../resource';
import { useDraft } from '../drafts';
import type { Offer, OfferList } from '../types';
import { OFFER_KINDS, namedOptions } from '../types';
import { Loading, LoadError } from '../components/Status';
import { TextField, TextArea, Select, CheckboxGroup, Alert } from '../components/Field';
import { Dialog } from '../components/Dialog';
import { OfferSummary } from './Inbox';

interface OfferForm {
  kind: string; title: string; description: string; needs: string[]; areas: string[]; nodes: string[];
  url: string; validFrom: string; validUntil: string;
}
const EMPTY: OfferForm = { kind: '', title: '', description: '', needs: [], areas: [], nodes: [], url: '', validFrom: '', validUntil: '' };
const IDS: Record<string, string> = {
  kind: 'of-kind', title: 'of-title', description: 'of-description', needs: 'of-needs', areas: 'of-areas', nodes: 'of-nodes',
  url: 'of-url', validFrom: 'of-validFrom', validUntil: 'of-validUntil',
};

function PublishForm({ onPublished }: { onPublished: () => void }) {
  const { m, e } = useT();
  const st = useAppState();
  const [f, setF, restored, clearDraft] = useDraft<OfferForm>(`offer:${st.user?.username}`, EMPTY);
  const [errs, setErrs] = useState<Record<string, string>>({});
  const [top, setTop] = useState('');
  const [busy, setBusy] = useState(false);
  const set = <K extends keyof OfferForm>(k: K, v: OfferForm[K]) => {
    setF((o) => ({ ...o, [k]: v }));
    if (errs[k]) setErrs((x) => { const y = { ...x }; delete y[k]; return y; });
  };
  const cfg = st.config;

  const validate = () => {
    const x: Record<string, string> = {};
    if (!f.kind) x.kind = m.requiredField;
    if (!f.title.trim()) x.title = m.requiredField;
    if (f.needs.length === 0 && f.areas.length === 0) x.needs = m.chooseAtLeastOne;
    if (f.url.trim() && !/^https?:\/\/[^\s/]+\.[^\s]+$/.test(f.url.trim())) x.url = m.urlInvalid;
    if (f.validFrom && f.validUntil && f.validUntil < f.validFrom) x.validUntil = m.dateOrder;
    return x;
  };

  const submit = async (ev: Event) => {
    ev.preventDefault();
    const x = validate();
    setErrs(x);
    setTop('');
    if (Object.keys(x).length) {
      window.setTimeout(() => document.getElementById(IDS[Object.keys(x)[0]])?.focus(), 0);
      return;
    }
    setBusy(true);
    try {
      await post<Offer>('/v1/offers', {
        kind: f.kind, title: f.title.trim(), description: f.description.trim(), needs: f.needs, areas: f.areas, nodes: f.nodes,
        url: f.url.trim(),
        validFrom: f.validFrom ? `${f.validFrom}T00:00:00Z` : undefined,
        validUntil: f.validUntil ? `${f.validUntil}T23:59:59Z` : undefined,
      });
      clearDraft();
      setF(EMPTY);
      announce(m.published);
      setTop('');
      onPublished();
    } catch (y) {
      const a = y as ApiError;
      if (a.isUnauthenticated) return;
      const fe: Record<string, string> = {};
      (a.details ?? []).forEach((d) => { if (d.field) fe[d.field.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())] = d.description || a.message; });
      setErrs(fe);
      setTop(a.isNetwork ? m.offline : a.message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="card" aria-labelledby="publish-h">
      <h2 id="publish-h">{m.publishOffer}</h2>
      <p class="hint">{m.publishIntro}</p>
      {restored && <Alert kind="info">{m.draftRestored}</Alert>}
      {top && <Alert kind="error">{top}</Alert>}
      <form onSubmit={submit} noValidate class="form">
        <div class="grid2">
          <Select id="of-kind" label={m.fKind} value={f.kind} onChange={(v) => set('kind', v)} empty={m.choose}
            options={OFFER_KINDS.map((k) => ({ value: k, label: e.offerKind[k] ?? k }))} required error={errs.kind} />
          <TextField id="of-title" label={m.fTitle} value={f.title} onInput={(v) => set('title', v)} required error={errs.title} maxLength={200} />
        </div>
        <TextArea id="of-description" label={m.fDescription} value={f.description} onInput={(v) => set('description', v)} error={errs.description} />
        <CheckboxGroup id="of-needs" label={m.fNeeds} values={f.needs} onChange={(v) => set('needs', v)}
          options={namedOptions(cfg?.needs)} error={errs.needs} />
        <CheckboxGroup id="of-areas" label={m.fAreas} values={f.areas} onChange={(v) => set('areas', v)}
          options={namedOptions(cfg?.areas)} error={errs.areas} />
        <CheckboxGroup id="of-nodes" label={m.fNodes} values={f.nodes} onChange={(v) => set('nodes', v)}
          options={namedOptions(cfg?.nodes)} error={errs.nodes} />
        <div class="grid3">
          <TextField id="of-url" label={m.fUrl} type="url" inputMode="url" value={f.url} onInput={(v) => set('url', v)} error={errs.url} placeholder="https://" />
          <TextField id="of-validFrom" label={m.fValidFrom} type="date" value={f.validFrom} onInput={(v) => set('validFrom', v)} error={errs.validFrom} />
          <TextField id="of-validUntil" label={m.fValidUntil} type="date" value={f.validUntil} onInput={(v) => set('validUntil', v)} error={errs.validUntil} />
        </div>
        <div class="form-actions">
          <button type="submit" class="primary" disabled={busy}>{m.publishOffer}</button>
        </div>
      </form>
    </section>
  );
}

export function OffersPage() {
  const { m } = useT();
  const st = useAppState();
  const u = st.user!;
  const isActor = u.role === 'ACTOR';
  const res = useResource((s) => get<OfferList>('/v1/offers', isActor ? { pageSize: 500 } : { active: true, pageSize: 500 }, s), `offers:${isActor}`);
  const [confirm, setConfirm] = useState<Offer | null>(null);
  const [msg, setMsg] = useState<{ kind: 'error' | 'success'; text: string } | null>(null);
  const all = res.data?.offers ?? [];
  const mine = isActor ? all.filter((o) => o.actor === u.actor) : [];
  const others = isActor ? all.filter((o) => o.actor !== u.actor && (o.state ?? 'PUBLISHED') === 'PUBLISHED') : all;

  const withdraw = async (o: Offer) => {
    try {
      await post(`/v1/offers/${encodeURIComponent(o.id ?? '')}:withdraw`, {});
      setMsg({ kind: 'success', text: m.withdrawn });
      announce(m.withdrawn);
    } catch (x) {
      const a = x as ApiError;
      if (!a.isUnauthenticated) setMsg({ kind: 'error', text: a.isNetwork ? m.offline : a.message });
    }
    setConfirm(null);
    res.reload();
  };

  const list = (offers: Offer[], canWithdraw: boolean) => offers.length === 0 ? <p class="empty">{m.noOffers}</p> : (
    <ul class="plain offer-list">
      {offers.map((o) => (
        <li key={o.id} class="card" data-offer-id={o.id}>
          <h3 class="h3">{o.title || o.id}</h3>
          <OfferSummary o={o} />
          {canWithdraw && (o.state ?? 'PUBLISHED') === 'PUBLISHED' && (
            <button type="button" class="secondary" onClick={() => setConfirm(o)} aria-label={`${m.withdrawOffer}: ${o.title}`}>{m.withdrawOffer}</button>
          )}
        </li>
      ))}
    </ul>
  );

  return (
    <div class="page">
      <h1>{m.offersTitle}</h1>
      <div aria-live="polite" class="status-area">{msg && <Alert kind={msg.kind}>{msg.text}</Alert>}</div>
      {isActor && <PublishForm onPublished={() => { setMsg({ kind: 'success', text: m.published }); res.reload(); }} />}
      {res.error && <LoadError error={res.error} retry={res.reload} />}
      {!res.data && !res.error ? <Loading /> : (
        <>
          {isActor && <section aria-labelledby="mine-h"><h2 id="mine-h">{m.myOffers}</h2>{list(mine, true)}</section>}
          <section aria-labelledby="active-h"><h2 id="active-h">{m.activeOffers}</h2>{list(others, false)}</section>
        </>
      )}
      {confirm && (
        <Dialog title={m.withdrawOffer} onClose={() => setConfirm(null)} id="dlg-withdraw-offer">
          <p>{fmt(m.confirmWithdrawOffer, { title: confirm.title || confirm.id || '' })}</p>
          <div class="form-actions">
            <button type="button" class="primary" onClick={() => withdraw(confirm)}>{m.withdrawOffer}</button>
            <button type="button" class="secondary" onClick={() => setConfirm(null)}>{m.cancel}</button>
          </div>
        </Dialog>
      )}
    </div>
  );
}
