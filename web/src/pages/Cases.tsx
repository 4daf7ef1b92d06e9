// The case list: a coordinator's node (the server scopes it), or all cases for managers.
// Filters (state, level, need, area, node, q) live in the URL query; sorting is done here
// on the fetched page. Badges carry text; deadlines say "overdue" in words.
import { useState } from 'preact/hooks';
import { get } from '../api';
import { useT, fmt, fmtDateTime } from '../i18n';
import { useAppState } from '../store';
import { useLocation, setQuery } from '../router';
import { useResource } from '../resource';
import type { Case, CaseList } from '../types';
import { num, caseId, namedOptions } from '../types';
import { allStates } from '../workflow';
import { StateBadge, LevelBadge, Deadline } from '../components/Badges';
import { Loading, LoadError } from '../components/Status';
import { Select, TextField } from '../components/Field';

type SortKey = 'updated' | 'created' | 'deadline' | 'title' | 'state' | 'level';

/** Sorts by a column; states sort in the workflow's order, levels in the ladder's. */
export function sortCases(cases: Case[], key: SortKey, dir: 1 | -1, states: string[] = [], levels: string[] = []): Case[] {
  const v = (c: Case): string | number => {
    switch (key) {
      case 'updated': return c.updateTime ?? '';
      case 'created': return c.createTime ?? '';
      case 'deadline': return c.deadline ?? '9999';
      case 'title': return (c.title ?? '').toLocaleLowerCase('sv');
      case 'state': return states.indexOf(c.state ?? '');
      case 'level': return levels.indexOf(c.level ?? '');
    }
  };
  return [...cases].sort((a, b) => {
    const x = v(a), y = v(b);
    return (x < y ? -1 : x > y ? 1 : 0) * dir;
  });
}

export function CaseTable({ cases, caption, showNode }: { cases: Case[]; caption: string; showNode?: boolean }) {
  const { m, n, lang } = useT();
  const [sort, setSort] = useState<{ key: SortKey; dir: 1 | -1 }>({ key: 'updated', dir: -1 });
  const app = useAppState();
  const sorted = sortCases(cases, sort.key, sort.dir, allStates(app.workflow), app.config?.levels ?? []);
  const th = (key: SortKey, label: string) => {
    const active = sort.key === key;
    return (
      <th scope="col" aria-sort={active ? (sort.dir === 1 ? 'ascending' : 'descending') : undefined}>
        <button type="button" class="sort" onClick={() => setSort({ key, dir: active ? (sort.dir === 1 ? -1 : 1) : key === 'title' || key === 'deadline' ? 1 : -1 })}>
          {label}
          <span aria-hidden="true" class="sort-glyph">{active ? (sort.dir === 1 ? ' ▲' : ' ▼') : ' ↕'}</span>
        </button>
      </th>
    );
  };
  if (!cases.length) return <p class="empty">{m.noCases}</p>;
  return (
    <div class="table-wrap">
      <table class="cases responsive">
        <caption class="sr-only">{caption}</caption>
        <thead>
          <tr>
            {th('title', m.colTitle)}
            <th scope="col">{m.colNeeds}</th>
            {th('state', m.colState)}
            {th('level', m.colLevel)}
            {th('deadline', m.colDeadline)}
            {th('updated', m.colUpdated)}
          </tr>
        </thead>
        <tbody>
          {sorted.map((c) => (
            <tr key={caseId(c)} data-case-id={caseId(c)}>
              <td data-label={m.colTitle}>
                <a href={`/cases/${encodeURIComponent(caseId(c))}`} class="case-link">{c.title || caseId(c)}</a>
                <div class="sub">
                  {c.company?.name ? c.company.name : ''}
                  {showNode && c.node ? `${c.company?.name ? ' · ' : ''}${n.node(c.node)}` : ''}
                </div>
              </td>
              <td data-label={m.colNeeds}>{(c.needs ?? []).map(n.need).join(', ') || m.none}</td>
              <td data-label={m.colState}><StateBadge state={c.state} /></td>
              <td data-label={m.colLevel}><LevelBadge level={c.level} /></td>
              <td data-label={m.colDeadline}><Deadline deadline={c.deadline} state={c.state} /></td>
              <td data-label={m.colUpdated}>{c.updateTime ? <time dateTime={c.updateTime}>{fmtDateTime(c.updateTime, lang)}</time> : m.none}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function CasesPage() {
  const { m, n } = useT();
  const st = useAppState();
  const loc = useLocation();
  const u = st.user!;
  const f = {
    state: loc.query.get('state') ?? '',
    level: loc.query.get('level') ?? '',
    need: loc.query.get('need') ?? '',
    area: loc.query.get('area') ?? '',
    node: loc.query.get('node') ?? '',
    q: loc.query.get('q') ?? '',
  };
  const [q, setQ] = useState(f.q);
  const isCoord = u.role === 'COORDINATOR';
  const query = { ...f, node: isCoord ? u.node : f.node, pageSize: 500 };
  const res = useResource((signal) => get<CaseList>('/v1/cases', query, signal), JSON.stringify(query));
  const set = (k: string, v: string) => setQuery({ ...f, [k]: v });
  const cfg = st.config;
  const title = isCoord && u.node ? fmt(m.casesTitleNode, { node: n.node(u.node) }) : m.casesTitle;
  const cases = res.data?.cases ?? [];
  return (
    <div class="page">
      <div class="page-head">
        <h1>{title}</h1>
        {isCoord && <a class="button primary" href="/cases/new">{m.navNewCase}</a>}
      </div>
      <form class="filters" role="search" aria-label={m.filters} onSubmit={(e) => { e.preventDefault(); set('q', q.trim()); }}>
        <div class="search-row">
          <TextField id="f-q" label={m.search} type="search" value={q} onInput={setQ} placeholder={m.searchPlaceholder} />
          <button type="submit" class="secondary">{m.search}</button>
        </div>
        <div class="filter-row">
          <Select id="f-state" label={m.filterState} value={f.state} onChange={(v) => set('state', v)} empty={m.all}
            options={allStates(st.workflow).map((s) => ({ value: s, label: n.state(s) }))} />
          <Select id="f-level" label={m.filterLevel} value={f.level} onChange={(v) => set('level', v)} empty={m.all}
            options={(cfg?.levels ?? []).map((s) => ({ value: s, label: n.level(s) }))} />
          <Select id="f-need" label={m.filterNeed} value={f.need} onChange={(v) => set('need', v)} empty={m.all}
            options={namedOptions(cfg?.needs)} />
          <Select id="f-area" label={m.filterArea} value={f.area} onChange={(v) => set('area', v)} empty={m.all}
            options={namedOptions(cfg?.areas)} />
          {!isCoord && (
            <Select id="f-node" label={m.filterNode} value={f.node} onChange={(v) => set('node', v)} empty={m.all}
              options={namedOptions(cfg?.nodes)} />
          )}
        </div>
        {(f.state || f.level || f.need || f.area || f.node || f.q) && (
          <button type="button" class="link-button" onClick={() => { setQ(''); setQuery({}); }}>{m.reset}</button>
        )}
      </form>
      <p class="result-count" aria-live="polite">{res.data ? fmt(m.results, { n: num(cases.length) }) : ''}</p>
      {res.error && <LoadError error={res.error} retry={res.reload} />}
      {!res.data && !res.error ? <Loading /> : <CaseTable cases={cases} caption={title} showNode={!isCoord} />}
    </div>
  );
}
