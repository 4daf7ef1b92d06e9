// The node's offer inbox (GET /v1/nodes/{node}/inbox): offers channelled down to the node,
// each with the node's open cases it matches.
import { get } from '../api';
import { useT, fmt, fmtDate } from '../i18n';
import { useAppState } from '../store';
import { useResource } from '../resource';
import type { Case, Inbox, InboxEntry, Offer } from '../types';
import { caseId } from '../types';
import { StateBadge } from '../components/Badges';
import { Loading, LoadError } from '../components/Status';

/** The inbox is {entries:[{offer, matchingCases}]}. */
export function inboxItems(d: Inbox | undefined): { offer: Offer; cases: Case[] }[] {
  return (d?.entries ?? []).filter((i: InboxEntry) => i.offer).map((i) => ({ offer: i.offer!, cases: i.matchingCases ?? [] }));
}

export function OfferSummary({ o }: { o: Offer }) {
  const { m, n, e, lang } = useT();
  return (
    <>
      <p class="offer-meta">
        <span class="tag">{e.offerKind[o.kind ?? ''] ?? o.kind}</span>{' '}
        {n.actor(o.actor)}{o.level ? ` · ${n.level(o.level)}` : ''}
        {(o.validFrom || o.validUntil) && <> · {fmt(m.validPeriod, { from: fmtDate(o.validFrom, lang), to: fmtDate(o.validUntil, lang) })}</>}
        {o.state && o.state !== 'PUBLISHED' && <> · <span class="tag">{e.offerState[o.state] ?? o.state}</span></>}
      </p>
      {o.description && <p>{o.description}</p>}
      <p class="muted">
        {(o.needs ?? []).length > 0 && <>{m.fNeeds}: {(o.needs ?? []).map(n.need).join(', ')}. </>}
        {(o.areas ?? []).length > 0 && <>{m.fAreas}: {(o.areas ?? []).map(n.area).join(', ')}.</>}
      </p>
      {o.url && <p><a href={o.url} rel="noopener noreferrer">{m.moreInfo}<span class="sr-only">: {o.title}</span></a></p>}
    </>
  );
}

export function InboxPage() {
  const { m, n } = useT();
  const st = useAppState();
  const node = st.user?.node ?? '';
  const res = useResource((s) => get<Inbox>(`/v1/nodes/${encodeURIComponent(node)}/inbox`, undefined, s), `inbox:${node}`);
  const items = inboxItems(res.data);
  return (
    <div class="page">
      <h1>{fmt(m.inboxTitle, { node: n.node(node) })}</h1>
      <p class="lead">{m.inboxIntro}</p>
      {res.error && <LoadError error={res.error} retry={res.reload} />}
      {!res.data && !res.error ? <Loading /> : items.length === 0 ? <p class="empty">{m.inboxEmpty}</p> : (
        <ul class="plain offer-list">
          {items.map(({ offer, cases }) => (
            <li key={offer.id} class="card">
              <h2 class="h3">{offer.title || offer.id}</h2>
              <OfferSummary o={offer} />
              <h3 class="h4">{m.matchingCases}</h3>
              {cases.length === 0 ? <p class="muted">{m.noMatchingCases}</p> : (
                <ul class="plain">
                  {cases.map((c) => (
                    <li key={caseId(c)}><a href={`/cases/${encodeURIComponent(caseId(c))}`}>{c.title || caseId(c)}</a> <StateBadge state={c.state} /></li>
                  ))}
                </ul>
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
