// The manager's dashboard: key figures (GET /v1/stats/summary), the flow node → highest level
// → actor → outcome as a Sankey (GET /v1/stats/flow), created/resolved/escalated over time
// (GET /v1/stats/timeseries), and breakdowns by node, need, area, outcome and level. The
// filters (period, node, area, need) are in the URL and apply to every chart and to the CSV
// export link. Every chart has its numbers as a table too.
import { useMemo } from 'preact/hooks';
import { get, buildQuery } from '../api';
import { useT, fmtPercent, fmtDuration, fmtNumber, type Names } from '../i18n';
import { useAppState } from '../store';
import { useLocation, setQuery } from '../router';
import { useResource } from '../resource';
import type { Percentiles, StatsFlow, StatsSummary, StatsTimeSeries } from '../types';
import { num, namedOptions } from '../types';
import { openStates } from '../workflow';
import { Chart } from '../components/Chart';
import { PALETTE, type EChartsOption } from '../charts';
import { Loading, LoadError } from '../components/Status';
import { Select, TextField } from '../components/Field';

const METRICS = ['created', 'resolved', 'escalated'] as const;

export function seriesPoints(d: StatsTimeSeries | undefined): { t: string; v: number }[] {
  return (d?.points ?? []).map((p) => ({ t: p.start ?? '', v: num(p.value) })).filter((p) => p.t);
}

/** A percentile of a duration the statistics give in hours (stats.proto), as seconds; none without cases. */
function hours(p: Percentiles | undefined, k: 'p50' | 'p90'): number | undefined {
  return p && num(p.count) > 0 && p[k] !== undefined ? (p[k] as number) * 3600 : undefined;
}

/** A display name for a Sankey node id: "node:x"/"level:X"/"actor:x"/"outcome:X" or a bare id. */
export function flowLabel(id: string, n: Names): string {
  const i = id.indexOf(':');
  if (i > 0) {
    const k = id.slice(0, i), v = id.slice(i + 1);
    if (k === 'node') return n.node(v);
    if (k === 'level') return n.level(v);
    if (k === 'actor' || k === 'assignee') return n.actor(v);
    if (k === 'outcome') return n.outcome(v);
    if (k === 'state') return n.state(v);
    return v;
  }
  for (const f of [n.node, n.level, n.actor, n.outcome, n.state]) {
    const x = f(id);
    if (x && x !== id) return x;
  }
  return id;
}

function Kpi({ label, value, sub, id }: { label: string; value: string; sub?: string; id: string }) {
  return (
    <div class="kpi" data-kpi={id}>
      <dt>{label}</dt>
      <dd><span class="kpi-value">{value}</span>{sub && <span class="kpi-sub">{sub}</span>}</dd>
    </div>
  );
}

function BarChart({ id, title, data, label }: { id: string; title: string; data: Record<string, number | string> | undefined; label: (k: string) => string }) {
  const { m, lang } = useT();
  const rows = Object.entries(data ?? {}).map(([k, v]) => ({ k, name: label(k), v: num(v) })).sort((a, b) => b.v - a.v);
  const option = useMemo<EChartsOption>(() => ({
    color: PALETTE,
    aria: { enabled: true },
    animation: false,
    grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
    tooltip: { trigger: 'axis', renderMode: 'richText', axisPointer: { type: 'shadow' } },
    xAxis: { type: 'value', minInterval: 1, axisLabel: { color: '#3d3d3d' } },
    yAxis: { type: 'category', inverse: true, data: rows.map((r) => r.name), axisLabel: { color: '#1f1f1f', width: 160, overflow: 'truncate' } },
    series: [{ type: 'bar', data: rows.map((r) => r.v), label: { show: true, position: 'right', color: '#1f1f1f' }, barMaxWidth: 22 }],
  }), [JSON.stringify(rows)]);
  if (!rows.length) return <figure class="chart-figure"><figcaption class="h3">{title}</figcaption><p class="muted">{m.noData}</p></figure>;
  return (
    <Chart id={id} label={title} option={option} short={rows.length <= 3} tall={rows.length > 8} table={
      <table class="data">
        <thead><tr><th scope="col">{m.tableCategory}</th><th scope="col" class="num">{m.tableValue}</th></tr></thead>
        <tbody>{rows.map((r) => <tr key={r.k} data-key={r.k}><th scope="row">{r.name}</th><td class="num">{fmtNumber(r.v, lang)}</td></tr>)}</tbody>
      </table>
    } />
  );
}

export function DashboardPage() {
  const { m, n, lang } = useT();
  const st = useAppState();
  const loc = useLocation();
  const f = {
    from: loc.query.get('from') ?? '',
    to: loc.query.get('to') ?? '',
    node: loc.query.get('node') ?? '',
    area: loc.query.get('area') ?? '',
    need: loc.query.get('need') ?? '',
    bucket: loc.query.get('bucket') ?? 'week',
  };
  const filters = {
    from: f.from ? `${f.from}T00:00:00Z` : undefined,
    to: f.to ? `${f.to}T23:59:59Z` : undefined,
    node: f.node || undefined,
    area: f.area || undefined,
    need: f.need || undefined,
  };
  const key = JSON.stringify(filters);
  const summary = useResource((s) => get<StatsSummary>('/v1/stats/summary', filters, s), `sum:${key}`);
  const flow = useResource((s) => get<StatsFlow>('/v1/stats/flow', filters, s), `flow:${key}`);
  const series = useResource(
    (s) => Promise.all(METRICS.map((metric) => get<StatsTimeSeries>('/v1/stats/timeseries', { ...filters, bucket: f.bucket, metric }, s))),
    `ts:${key}:${f.bucket}`,
  );
  const set = (k: string, v: string) => setQuery({ ...f, [k]: v, bucket: k === 'bucket' ? v : f.bucket === 'week' ? undefined : f.bucket } as Record<string, string>);
  const cfg = st.config;
  const s = summary.data;

  // Open cases: those in the states the workflow marks as open.
  const open = s ? openStates(st.workflow).reduce((acc, x) => acc + num(s.byState?.[x]), 0) : 0;

  const links = (flow.data?.links ?? []).map((l) => ({ source: l.source ?? '', target: l.target ?? '', value: num(l.value) })).filter((l) => l.value > 0 && l.source !== l.target);
  const flowOption = useMemo<EChartsOption>(() => {
    const nodes = [...new Set(links.flatMap((l) => [l.source, l.target]))].map((name) => ({ name }));
    return {
      color: PALETTE,
      aria: { enabled: true },
      animation: false,
      tooltip: { trigger: 'item', renderMode: 'richText' },
      series: [{
        type: 'sankey',
        data: nodes,
        links,
        emphasis: { focus: 'adjacency' },
        nodeAlign: 'justify',
        left: 8, right: 120, top: 8, bottom: 8,
        label: { color: '#1f1f1f', formatter: (p: { name: string }) => flowLabel(p.name, n) },
        lineStyle: { color: 'gradient', opacity: 0.35 },
        tooltip: { formatter: (p: { dataType?: string; name: string; value: number; data: { source?: string; target?: string } }) =>
          p.dataType === 'edge' ? `${flowLabel(p.data.source ?? '', n)} → ${flowLabel(p.data.target ?? '', n)}: ${p.value}` : `${flowLabel(p.name, n)}: ${p.value}` },
      }],
    } as EChartsOption;
  }, [JSON.stringify(links), lang, cfg]);

  const pts = (series.data ?? []).map(seriesPoints);
  const times = [...new Set(pts.flatMap((p) => p.map((x) => x.t)))].sort();
  const seriesNames = [m.seriesCreated, m.seriesResolved, m.seriesEscalated];
  const tsLabel = (t: string) => {
    const d = new Date(t);
    if (Number.isNaN(d.getTime())) return t;
    return f.bucket === 'month'
      ? d.toLocaleDateString(lang === 'en' ? 'en-GB' : 'sv-SE', { year: 'numeric', month: 'short' })
      : d.toLocaleDateString(lang === 'en' ? 'en-GB' : 'sv-SE', { month: 'short', day: 'numeric' });
  };
  const tsOption = useMemo<EChartsOption>(() => ({
    color: PALETTE,
    aria: { enabled: true, decal: { show: false } },
    animation: false,
    legend: { top: 0, textStyle: { color: '#1f1f1f' } },
    grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
    tooltip: { trigger: 'axis', renderMode: 'richText' },
    xAxis: { type: 'category', data: times.map(tsLabel), axisLabel: { color: '#3d3d3d' } },
    yAxis: { type: 'value', minInterval: 1, axisLabel: { color: '#3d3d3d' } },
    // Distinct symbols and dash patterns as well as colours: not colour alone.
    series: pts.map((p, i) => ({
      name: seriesNames[i], type: 'line', symbol: ['circle', 'triangle', 'rect'][i], symbolSize: 8,
      lineStyle: { type: ['solid', 'dashed', 'dotted'][i], width: 2 },
      data: times.map((t) => p.find((x) => x.t === t)?.v ?? 0),
    })),
  }), [JSON.stringify(pts), lang, f.bucket]);

  const csv = `/v1/stats/export.csv${buildQuery(filters)}`;
  const anyFilter = f.from || f.to || f.node || f.area || f.need;

  return (
    <div class="page dashboard">
      <div class="page-head">
        <h1>{m.dashboardTitle}</h1>
        <a class="button secondary" href={csv} download="tillvaxt-arenden.csv" data-testid="export-csv">
          <span aria-hidden="true">⤓ </span>{m.exportCsv}<span class="sr-only"> ({m.exportCsvHint})</span>
        </a>
      </div>
      <form class="filters" aria-label={m.filters} onSubmit={(e) => e.preventDefault()}>
        <div class="filter-row">
          <TextField id="d-from" label={m.fFrom} type="date" value={f.from} onInput={(v) => set('from', v)} />
          <TextField id="d-to" label={m.fTo} type="date" value={f.to} onInput={(v) => set('to', v)} />
          <Select id="d-node" label={m.filterNode} value={f.node} onChange={(v) => set('node', v)} empty={m.all}
            options={namedOptions(cfg?.nodes)} />
          <Select id="d-area" label={m.filterArea} value={f.area} onChange={(v) => set('area', v)} empty={m.all}
            options={namedOptions(cfg?.areas)} />
          <Select id="d-need" label={m.filterNeed} value={f.need} onChange={(v) => set('need', v)} empty={m.all}
            options={namedOptions(cfg?.needs)} />
        </div>
        {anyFilter && <button type="button" class="link-button" onClick={() => setQuery({})}>{m.reset}</button>}
      </form>

      {summary.error && <LoadError error={summary.error} retry={summary.reload} />}
      {!s && !summary.error ? <Loading /> : s && (
        <dl class="kpis" aria-live="polite">
          <Kpi id="total" label={m.kpiTotal} value={fmtNumber(num(s.total), lang)} />
          <Kpi id="open" label={m.kpiOpen} value={fmtNumber(open, lang)} />
          <Kpi id="escalation" label={m.kpiEscalation} value={fmtPercent(s.escalationRate ?? 0, lang)} />
          <Kpi id="leakage" label={m.kpiLeakage} value={fmtPercent(s.leakage ?? 0, lang)} sub={m.kpiLeakageHint} />
          <Kpi id="claim" label={m.kpiClaim} value={fmtDuration(hours(s.timeToClaim, 'p50'), lang)} sub={`${m.median} · ${m.p90} ${fmtDuration(hours(s.timeToClaim, 'p90'), lang)}`} />
          <Kpi id="resolve" label={m.kpiResolve} value={fmtDuration(hours(s.timeToResolve, 'p50'), lang)} sub={`${m.median} · ${m.p90} ${fmtDuration(hours(s.timeToResolve, 'p90'), lang)}`} />
          <Kpi id="idle" label={m.kpiIdle} value={fmtDuration(hours(s.idleTime, 'p50'), lang)} sub={`${m.median} · ${m.p90} ${fmtDuration(hours(s.idleTime, 'p90'), lang)}`} />
          <Kpi id="sla" label={m.kpiSla} value={fmtNumber(num(s.slaBreaches), lang)} />
        </dl>
      )}

      <section class="card" aria-labelledby="flow-h">
        <h2 id="flow-h" class="sr-only">{m.chartFlow}</h2>
        {flow.error && <LoadError error={flow.error} retry={flow.reload} />}
        {!flow.data && !flow.error ? <Loading /> : links.length === 0 ? <><p class="h3">{m.chartFlow}</p><p class="muted">{m.noData}</p></> : (
          <Chart id="flow" label={m.chartFlow} option={flowOption} tall table={
            <table class="data">
              <caption class="sr-only">{m.chartFlowDesc}</caption>
              <thead><tr><th scope="col">{m.tableFrom}</th><th scope="col">{m.tableTo}</th><th scope="col" class="num">{m.tableValue}</th></tr></thead>
              <tbody>{links.map((l, i) => <tr key={i} data-source={l.source} data-target={l.target}><td>{flowLabel(l.source, n)}</td><td>{flowLabel(l.target, n)}</td><td class="num">{fmtNumber(l.value, lang)}</td></tr>)}</tbody>
            </table>
          } />
        )}
      </section>

      <section class="card" aria-labelledby="ts-h">
        <div class="section-head">
          <h2 id="ts-h">{m.chartSeries}</h2>
          <Select id="d-bucket" label={m.bucket} value={f.bucket} onChange={(v) => set('bucket', v)}
            options={[{ value: 'week', label: m.bucketWeek }, { value: 'month', label: m.bucketMonth }]} />
        </div>
        {series.error && <LoadError error={series.error} retry={series.reload} />}
        {!series.data && !series.error ? <Loading /> : times.length === 0 ? <p class="muted">{m.noData}</p> : (
          <Chart id="timeseries" label={`${m.chartSeries}: ${seriesNames.join(', ')}`} option={tsOption} table={
            <table class="data">
              <thead><tr><th scope="col">{m.bucket}</th>{seriesNames.map((x) => <th scope="col" class="num" key={x}>{x}</th>)}</tr></thead>
              <tbody>{times.map((t) => (
                <tr key={t} data-key={t}><th scope="row">{tsLabel(t)}</th>{pts.map((p, i) => <td class="num" key={i}>{p.find((x) => x.t === t)?.v ?? 0}</td>)}</tr>
              ))}</tbody>
            </table>
          } />
        )}
      </section>

      {s && (
        <div class="chart-grid">
          <section class="card"><BarChart id="by-node" title={m.chartByNode} data={s.byNode} label={n.node} /></section>
          <section class="card"><BarChart id="by-need" title={m.chartByNeed} data={s.byNeed} label={n.need} /></section>
          <section class="card"><BarChart id="by-area" title={m.chartByArea} data={s.byArea} label={n.area} /></section>
          <section class="card"><BarChart id="by-level" title={m.chartByLevel} data={s.byLevelReached} label={n.level} /></section>
          <section class="card"><BarChart id="by-outcome" title={m.chartByOutcome} data={s.byOutcome} label={n.outcome} /></section>
          <section class="card"><BarChart id="by-state" title={m.chartByState} data={s.byState} label={n.state} /></section>
          {s.openAge && Object.keys(s.openAge).length > 0 && (
            <section class="card"><BarChart id="open-age" title={m.chartOpenAge} data={s.openAge} label={(k) => k} /></section>
          )}
        </div>
      )}
    </div>
  );
}
