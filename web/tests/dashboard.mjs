// The dashboard's figures against the API, on a seeded history (scripts/web-test.sh seeds one with
// `tillvaxt seed` before starting the server):
//   BASE_URL=http://127.0.0.1:8080 TILLVAXT_DEMO_PASSWORD=… node tests/dashboard.mjs
// For each of several filters the manager's dashboard is opened with the filter in its URL, and
// every figure it shows is read from the page and compared with GET /v1/stats/summary,
// /v1/stats/flow and /v1/stats/timeseries asked with the same filter: the counts (total, open,
// SLA breaches), the rates (escalation, leakage), p50 and p90 of each duration (time to claim,
// to resolve, without an assignee), every breakdown (node, need, area, level, outcome, state,
// open age), the Sankey's links and per-node totals, and the time series. Durations are read
// back from their text ("4,1 d", "17 h", "35 min") into seconds and compared with the API's
// hours within the display's rounding, so a unit mismatch between server and web (hours read
// as seconds) cannot return. Prints "N passed, M failed" and exits non-zero on any failure.
import { chromium, request as pwRequest } from 'playwright-core';

const BASE = (process.env.BASE_URL || 'http://127.0.0.1:8080').replace(/\/$/, '');
const PASSWORD = process.env.TILLVAXT_DEMO_PASSWORD || '';
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const T = Number(process.env.E2E_TIMEOUT_MS || 20000);
const MIN_CASES = Number(process.env.DASHBOARD_MIN_CASES || 1000);
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--disable-dev-shm-usage', '--disable-quic'];

let passed = 0;
let failed = 0;
const failures = [];

async function test(name, fn) {
  const t0 = Date.now();
  try {
    await fn();
    passed++;
    console.log(`ok   ${name} (${Date.now() - t0} ms)`);
  } catch (e) {
    failed++;
    const msg = (e && e.message ? e.message : String(e)).split('\n').slice(0, 12).join('\n     ');
    failures.push(`${name}: ${msg}`);
    console.log(`FAIL ${name}\n     ${msg}`);
  }
}
function assert(cond, msg) { if (!cond) throw new Error(msg); }

/** JSON with object keys sorted: protobuf writes map entries in no fixed order. */
function canonical(v) {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(',')}}`;
  return JSON.stringify(v);
}

/** "1 234" / "1,234" → 1234 (digits only). */
const integer = (text) => Number(String(text).replace(/[^\d-]/g, ''));
/** A Swedish or English decimal: "4,1" / "4.1" → 4.1. */
const decimal = (text) => Number(String(text).replace(/[\s\u00a0\u202f]/g, '').replace(',', '.'));

/**
 * A duration as fmtDuration shows it ("4,1 d", "17 h", "35 min", "–"): seconds, with the
 * tolerance of its rounding (one decimal of days or hours, whole minutes); null for "–".
 */
function duration(text) {
  const t = String(text).trim();
  if (t === '–' || t === '') return null;
  const m = /^([\d\s\u00a0\u202f.,]+)\s*(d|h|min)$/.exec(t);
  assert(m, `not a duration: "${t}"`);
  const v = decimal(m[1]);
  if (m[2] === 'd') return { s: v * 86400, tol: 0.05 * 86400 + 1 };
  if (m[2] === 'h') return { s: v * 3600, tol: 0.05 * 3600 + 1 };
  return { s: v * 60, tol: 30 + 1 };
}

/** "12,3 %" → 0.123 with the tolerance of one decimal of a percent. */
function percent(text) {
  const t = String(text).trim();
  const m = /^([\d\s\u00a0\u202f.,]+)\s*%$/.exec(t);
  assert(m, `not a percentage: "${t}"`);
  return decimal(m[1]) / 100;
}

function checkDuration(label, shown, p, key) {
  const hours = p && Number(p.count ?? 0) > 0 ? p[key] : undefined;
  const d = duration(shown);
  if (hours === undefined || hours === null) {
    assert(d === null, `${label}: the page shows "${shown}", the API has no cases with it`);
    return;
  }
  assert(d !== null, `${label}: the page shows "–", the API says ${hours} h`);
  const expected = hours * 3600;
  assert(Math.abs(d.s - expected) <= d.tol,
    `${label}: the page shows "${shown}" (${d.s} s), the API says ${hours} h (${expected} s)`);
}

/** The rows of a chart's table: data-key → number. */
async function tableOf(page, chart) {
  return page.$$eval(`[data-chart="${chart}"] ~ details table tbody tr`, (rows) => rows.map((r) => [
    r.getAttribute('data-key'), r.querySelector('td.num')?.textContent ?? '']));
}

function sameCounts(label, shownRows, apiMap) {
  const shown = Object.fromEntries(shownRows.map(([k, v]) => [k, integer(v)]));
  const api = Object.fromEntries(Object.entries(apiMap ?? {}).map(([k, v]) => [k, Number(v)]));
  const keys = [...new Set([...Object.keys(shown), ...Object.keys(api)])].sort();
  const diff = keys.filter((k) => shown[k] !== api[k]).map((k) => `${k}: page ${shown[k]}, API ${api[k]}`);
  assert(diff.length === 0, `${label}: ${diff.join('; ')}`);
}

async function main() {
  assert(PASSWORD, 'set TILLVAXT_DEMO_PASSWORD');
  console.log(`Tillväxt dashboard figures against ${BASE}`);
  const api = await pwRequest.newContext({ baseURL: BASE, extraHTTPHeaders: { 'X-Requested-With': 'tillvaxt' } });
  const login = await api.post('/v1/sessions', { data: { username: 'manager', password: PASSWORD } });
  assert(login.ok(), `API login as manager: HTTP ${login.status()}`);
  const getJson = async (path, params = {}) => {
    const q = new URLSearchParams(Object.entries(params).filter(([, v]) => v)).toString();
    const r = await api.get(q ? `${path}?${q}` : path);
    assert(r.ok(), `GET ${path}?${q}: HTTP ${r.status()}`);
    return r.json();
  };
  const config = await getJson('/v1/config');
  const workflow = await getJson('/v1/workflow');
  const openStates = (workflow.states || []).filter((s) => s.open).map((s) => s.name);

  // The server's SLA scheduler works through the seeded history's timers when it starts (effect
  // reminders, escalations of old MATCHED cases): wait until the figures hold still.
  let previous = '';
  let all;
  const settleUntil = Date.now() + 90000;
  for (;;) {
    all = await getJson('/v1/stats/summary');
    const links = ((await getJson('/v1/stats/flow')).links ?? []).map(canonical).sort();
    const now = canonical([all, links]);
    if (now === previous) break;
    assert(Date.now() < settleUntil, 'the statistics did not settle within 90 s');
    previous = now;
    await new Promise((r) => setTimeout(r, 2000));
  }
  assert(Number(all.total) >= MIN_CASES, `a seeded history: ${all.total} cases, expected at least ${MIN_CASES}`);
  console.log(`     ${all.total} cases`);

  // The filters: none, a node, a need, an area with a node, and a period (the page sends
  // from 00:00:00Z and to 23:59:59Z of the dates in its URL).
  const byCount = (m) => Object.entries(m || {}).sort((a, b) => Number(b[1]) - Number(a[1])).map(([k]) => k);
  const node = byCount(all.byNode)[0] || config.nodes?.[0]?.id;
  const need = byCount(all.byNeed)[1] || byCount(all.byNeed)[0];
  const area = byCount(all.byArea)[0];
  const day = (d) => d.toISOString().slice(0, 10);
  const from = day(new Date(Date.now() - 400 * 86400000));
  const to = day(new Date(Date.now() - 30 * 86400000));
  const filters = [
    { name: 'all cases', url: {} },
    { name: `node ${node}`, url: { node } },
    { name: `need ${need}`, url: { need } },
    { name: `node ${node}, area ${area}`, url: { node, area } },
    { name: `period ${from}–${to}`, url: { from, to } },
  ];

  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
  try {
    const ctx = await browser.newContext({ baseURL: BASE, locale: 'sv-SE', viewport: { width: 1280, height: 900 } });
    const page = await ctx.newPage();
    page.setDefaultTimeout(T);
    await page.goto('/login');
    await page.fill('#login-username', 'manager');
    await page.fill('#login-password', PASSWORD);
    await page.getByRole('button', { name: 'Logga in' }).click();
    await page.waitForURL(/\/dashboard/);

    for (const f of filters) {
      await test(`dashboard = API: ${f.name}`, async () => {
        const apiFilter = {
          from: f.url.from ? `${f.url.from}T00:00:00Z` : '', to: f.url.to ? `${f.url.to}T23:59:59Z` : '',
          node: f.url.node || '', area: f.url.area || '', need: f.url.need || '',
        };
        // The page and the API are read until they agree on the total with an unchanged API answer
        // on both sides of the reading (the scheduler may still record a late timer).
        let s, flow, series, shown;
        for (let attempt = 0; ; attempt++) {
          s = await getJson('/v1/stats/summary', apiFilter);
          flow = await getJson('/v1/stats/flow', apiFilter);
          series = await Promise.all(['created', 'resolved', 'escalated'].map((metric) =>
            getJson('/v1/stats/timeseries', { ...apiFilter, bucket: 'week', metric })));
          await page.goto(`/dashboard?${new URLSearchParams(f.url)}`);
          await page.waitForSelector('[data-kpi="total"] .kpi-value');
          await page.waitForSelector('[data-chart="flow"] ~ details table tbody tr', { state: 'attached' });
          await page.waitForSelector('[data-chart="timeseries"] ~ details table tbody tr', { state: 'attached' });
          await page.waitForSelector('[data-chart="by-node"] ~ details table tbody tr', { state: 'attached' });
          shown = await page.evaluate(() => {
            const kpi = (id) => ({
              value: document.querySelector(`[data-kpi="${id}"] .kpi-value`)?.textContent ?? '',
              sub: document.querySelector(`[data-kpi="${id}"] .kpi-sub`)?.textContent ?? '',
            });
            return Object.fromEntries(['total', 'open', 'escalation', 'leakage', 'claim', 'resolve', 'idle', 'sla'].map((k) => [k, kpi(k)]));
          });
          const again = await getJson('/v1/stats/summary', apiFilter);
          if (canonical(again) === canonical(s) || attempt >= 3) break;
        }
        assert(Number(s.total) > 0, `the filter ${JSON.stringify(apiFilter)} leaves no cases: a useless check`);

        // Counts and rates.
        assert(integer(shown.total.value) === Number(s.total), `total: page ${shown.total.value}, API ${s.total}`);
        const open = openStates.reduce((acc, st) => acc + Number(s.byState?.[st] ?? 0), 0);
        assert(integer(shown.open.value) === open, `open: page ${shown.open.value}, API ${open} (${openStates.join(', ')})`);
        assert(integer(shown.sla.value) === Number(s.slaBreaches ?? 0), `SLA breaches: page ${shown.sla.value}, API ${s.slaBreaches}`);
        for (const [k, rate] of [['escalation', s.escalationRate], ['leakage', s.leakage]]) {
          const p = percent(shown[k].value);
          assert(Math.abs(p - Number(rate ?? 0)) <= 0.0005 + 1e-9, `${k}: page ${shown[k].value}, API ${rate}`);
        }
        // p50 (the figure) and p90 (its sub-line, "median · 90:e percentil X") of each duration.
        for (const [k, p] of [['claim', s.timeToClaim], ['resolve', s.timeToResolve], ['idle', s.idleTime]]) {
          checkDuration(`${k} p50`, shown[k].value, p, 'p50');
          const p90 = /percentil\s+(.+)$/.exec(shown[k].sub);
          assert(p90, `${k}: no p90 in "${shown[k].sub}"`);
          checkDuration(`${k} p90`, p90[1], p, 'p90');
        }
        assert(Number(s.timeToClaim?.count ?? 0) > 0, 'the history has claimed cases (the duration check checked something)');

        // Breakdowns, by id (data-key).
        sameCounts('by node', await tableOf(page, 'by-node'), s.byNode);
        sameCounts('by need', await tableOf(page, 'by-need'), s.byNeed);
        sameCounts('by area', await tableOf(page, 'by-area'), s.byArea);
        sameCounts('by level reached', await tableOf(page, 'by-level'), s.byLevelReached);
        sameCounts('by outcome', await tableOf(page, 'by-outcome'), s.byOutcome);
        sameCounts('by state', await tableOf(page, 'by-state'), s.byState);
        if (Object.keys(s.openAge ?? {}).length) sameCounts('open age', await tableOf(page, 'open-age'), s.openAge);

        // The Sankey: its links (the table under it) and each node's total, in and out.
        const shownLinks = await page.$$eval('[data-chart="flow"] ~ details table tbody tr', (rows) => rows.map((r) => [
          r.getAttribute('data-source'), r.getAttribute('data-target'), r.querySelector('td.num')?.textContent ?? '']));
        const apiLinks = (flow.links ?? []).filter((l) => Number(l.value) > 0 && l.source !== l.target);
        const key = (src, dst) => `${src} → ${dst}`;
        sameCounts('Sankey links', shownLinks.map(([a, b, v]) => [key(a, b), v]),
          Object.fromEntries(apiLinks.map((l) => [key(l.source, l.target), l.value])));
        const totals = (links) => {
          const inn = {}, out = {};
          for (const [a, b, v] of links) { out[a] = (out[a] || 0) + v; inn[b] = (inn[b] || 0) + v; }
          const t = {};
          for (const n of new Set([...Object.keys(inn), ...Object.keys(out)])) t[n] = Math.max(inn[n] || 0, out[n] || 0);
          return t;
        };
        const shownTotals = totals(shownLinks.map(([a, b, v]) => [a, b, integer(v)]));
        sameCounts('Sankey node totals', Object.entries(shownTotals), totals(apiLinks.map((l) => [l.source, l.target, Number(l.value)])));
        // The first column of the Sankey (the nodes) adds up to the flow's cases.
        const firstColumn = Object.entries(shownTotals).filter(([n]) => !apiLinks.some((l) => l.target === n));
        assert(firstColumn.length > 0, 'the Sankey has a first column');

        // The time series, week by week: created, resolved, escalated.
        const shownSeries = await page.$$eval('[data-chart="timeseries"] ~ details table tbody tr', (rows) => rows.map((r) => [
          r.getAttribute('data-key'), [...r.querySelectorAll('td.num')].map((td) => td.textContent ?? '')]));
        series.forEach((sr, i) => {
          const apiPoints = Object.fromEntries((sr.points ?? []).filter((p) => p.start).map((p) => [p.start, Number(p.value ?? 0)]));
          // The page fills weeks a series lacks with 0; the API may list them or not.
          const shownMap = Object.fromEntries(shownSeries.map(([t, vs]) => [t, vs[i]]).filter(([t, v]) => integer(v) !== 0 || t in apiPoints));
          const apiNonZero = Object.fromEntries(Object.entries(apiPoints).filter(([t, v]) => v !== 0 || t in shownMap));
          sameCounts(`time series ${sr.metric}`, Object.entries(shownMap), apiNonZero);
        });
      });
    }
  } finally {
    await browser.close();
    await api.dispose();
  }
}

main()
  .catch((e) => { failed++; failures.push(`setup: ${e.message}`); console.log(`FAIL setup: ${e.message}`); })
  .finally(() => {
    console.log(`\n${passed} passed, ${failed} failed`);
    if (failures.length) console.log(failures.map((f) => `  - ${f}`).join('\n'));
    process.exit(failed ? 1 : 0);
  });
