// A drawing of the workflow from GET /v1/workflow: states laid out in columns by the longest
// path from the first state (back edges ignored for layout), terminal states in a lower band,
// transitions as arrows; transitions that keep the state (escalate, linkOffer, …) are listed
// under the state. The full list is also given as a table (the drawing is an image).
import { get } from '../api';
import { useT } from '../i18n';
import { useResource } from '../resource';
import type { WorkflowView as Workflow, WorkflowTransition } from '../types';
import { Loading, LoadError } from '../components/Status';

interface Box { name: string; x: number; y: number; terminal: boolean; loops: string[] }
interface Edge { from: string; to: string; label: string; routing?: boolean; hideLabel?: boolean }

const W = 150, H = 46, GX = 110, GY = 110, TOP = 64;

export function layoutWorkflow(wf: Workflow): { boxes: Box[]; edges: Edge[]; width: number; height: number } {
  const states = wf.states ?? [];
  const names = states.map((s) => s.name ?? '').filter(Boolean);
  const terminal = new Set(states.filter((s) => s.terminal).map((s) => s.name ?? ''));
  const edges: Edge[] = [];
  const loops = new Map<string, string[]>(names.map((x) => [x, []]));
  const add = (from: string, to: string, label: string, routing = false) => {
    const e = edges.find((x) => x.from === from && x.to === to);
    if (e) { if (!e.label.split(', ').includes(label)) e.label += `, ${label}`; } else edges.push({ from, to, label, routing });
  };
  (wf.transitions ?? []).forEach((t: WorkflowTransition) => {
    (t.from ?? []).forEach((f) => {
      if (!t.to || t.to === f) loops.get(f)?.push(t.name ?? '');
      else add(f, t.to, t.name ?? '');
    });
  });
  // A transition that routes (its `mayLeadTo`) continues from the state it leads to into the
  // states routing picks (candidates found, or none on any level): triage → TRIAGED → MATCHED
  // or UNMATCHED in the shipped workflows. Transitions that stay put are listed under the state.
  (wf.transitions ?? []).forEach((t) => {
    if (!t.to) return;
    (t.mayLeadTo ?? []).forEach((s) => { if (s !== t.to && names.includes(s)) add(t.to as string, s, 'routing', true); });
  });
  // Longest-path layering over the graph without back edges (DFS from the first state).
  const adj = new Map<string, string[]>(names.map((x) => [x, []]));
  edges.forEach((e) => adj.get(e.from)?.push(e.to));
  const color = new Map<string, number>();
  const back = new Set<string>();
  const dfs = (u: string) => {
    color.set(u, 1);
    for (const v of adj.get(u) ?? []) {
      if (color.get(v) === 1) back.add(`${u}>${v}`);
      else if (!color.get(v)) dfs(v);
    }
    color.set(u, 2);
  };
  if (names.length) dfs(names[0]);
  names.forEach((x) => { if (!color.get(x)) dfs(x); });
  const layer = new Map<string, number>(names.map((x) => [x, 0]));
  for (let i = 0; i < names.length; i++) {
    edges.forEach((e) => {
      if (back.has(`${e.from}>${e.to}`)) return;
      const l = (layer.get(e.from) ?? 0) + 1;
      if (l > (layer.get(e.to) ?? 0)) layer.set(e.to, l);
    });
  }
  const cols = new Map<number, string[]>();
  names.forEach((x) => { const l = layer.get(x) ?? 0; cols.set(l, [...(cols.get(l) ?? []), x]); });
  const boxes: Box[] = [];
  let maxRows = 0;
  [...cols.entries()].forEach(([l, xs]) => {
    const ordered = [...xs.filter((x) => !terminal.has(x)), ...xs.filter((x) => terminal.has(x))];
    // Non-terminal states on the top band, terminal ones below: the main path reads left to right.
    let top = 0, bottom = 0;
    ordered.forEach((x) => {
      const row = terminal.has(x) ? 2 + bottom++ : top++;
      maxRows = Math.max(maxRows, row + 1);
      boxes.push({ name: x, x: 20 + l * (W + GX), y: TOP + row * (H + GY), terminal: terminal.has(x), loops: loops.get(x) ?? [] });
    });
  });
  // Many edges with the same name into one state (withdraw from every open state): label one.
  const groups = new Map<string, Edge[]>();
  edges.forEach((e) => { const k = `${e.to}|${e.label}`; groups.set(k, [...(groups.get(k) ?? []), e]); });
  groups.forEach((es) => {
    if (es.length < 2) return;
    const x = (e: Edge) => boxes.find((b) => b.name === e.from)?.x ?? 0;
    const keep = es.reduce((a, b) => (x(b) > x(a) ? b : a));
    es.forEach((e) => { if (e !== keep) e.hideLabel = true; });
  });
  const width = 40 + (Math.max(0, ...[...cols.keys()]) + 1) * (W + GX) - GX;
  const height = TOP + 20 + maxRows * (H + GY) - GY + 70;
  return { boxes, edges, width, height };
}

export function WorkflowPage() {
  const { m, n, e } = useT();
  const res = useResource((s) => get<Workflow>('/v1/workflow', undefined, s), 'workflow', { live: false });
  const wf = res.data;
  const lay = wf ? layoutWorkflow(wf) : null;
  const pos = new Map((lay?.boxes ?? []).map((b) => [b.name, b]));
  return (
    <div class="page">
      <h1>{m.workflowTitle}</h1>
      <p class="lead">{m.workflowIntro}</p>
      {res.error && <LoadError error={res.error} retry={res.reload} />}
      {!wf && !res.error && <Loading />}
      {lay && (
        <div class="wf-scroll" tabIndex={0} role="region" aria-label={m.workflowTitle}>
          <svg class="wf" viewBox={`0 0 ${lay.width} ${lay.height}`} width={lay.width} height={lay.height} role="img" aria-label={m.workflowTitle}>
            <defs>
              <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                <path d="M0,0 L10,5 L0,10 z" class="wf-arrowhead" />
              </marker>
            </defs>
            {lay.edges.map((ed, i) => {
              const a = pos.get(ed.from), b = pos.get(ed.to);
              if (!a || !b) return null;
              const forward = b.x > a.x;
              let d: string;
              let lx: number, ly: number;
              if (forward) {
                const x1 = a.x + W, y1 = a.y + H / 2, x2 = b.x, y2 = b.y + H / 2;
                const mx = (x1 + x2) / 2;
                d = `M${x1},${y1} C${mx},${y1} ${mx},${y2} ${x2},${y2}`;
                lx = mx; ly = (y1 + y2) / 2 - 4;
              } else if (b.x === a.x) {
                const x1 = a.x + W / 2 + (b.y > a.y ? 10 : -10), y1 = b.y > a.y ? a.y + H : a.y, y2 = b.y > a.y ? b.y : b.y + H;
                d = `M${x1},${y1} L${x1},${y2}`;
                lx = x1 + 4; ly = (y1 + y2) / 2;
              } else {
                // Back edge: an arc above the boxes.
                const x1 = a.x + W / 2 - 15, x2 = b.x + W / 2 + 15, y = Math.min(a.y, b.y);
                const lift = Math.min(TOP - 22, 14 + (a.x - b.x) / 12);
                d = `M${x1},${y} C${x1},${y - lift - 10} ${x2},${y - lift - 10} ${x2},${y}`;
                lx = (x1 + x2) / 2; ly = y - lift - 4;
              }
              return (
                <g key={i} class={ed.routing ? 'wf-edge routing' : 'wf-edge'}>
                  <path d={d} marker-end="url(#arrow)" />
                  {!ed.hideLabel && (
                    <text x={lx} y={ly} text-anchor="middle" class="wf-edge-label">{ed.label.split(', ').map((x) => (x === 'routing' ? m.routingDecides : n.action(x))).join(', ')}</text>
                  )}
                </g>
              );
            })}
            {lay.boxes.map((b) => (
              <g key={b.name} class={b.terminal ? 'wf-state terminal' : 'wf-state'}>
                <rect x={b.x} y={b.y} width={W} height={H} rx="8" />
                {b.terminal && <rect x={b.x + 4} y={b.y + 4} width={W - 8} height={H - 8} rx="5" class="inner" />}
                <text x={b.x + W / 2} y={b.y + H / 2 + 5} text-anchor="middle" class="wf-state-label">{n.state(b.name)}</text>
                {b.loops.length > 0 && (
                  <text x={b.x + W / 2} y={b.y + H + 16} text-anchor="middle" class="wf-loop-label">
                    {b.loops.map((x, i) => <tspan key={x} x={b.x + W / 2} dy={i === 0 ? 0 : 13}>↻ {n.action(x)}</tspan>)}
                  </text>
                )}
              </g>
            ))}
          </svg>
        </div>
      )}
      {wf && (
        <section aria-labelledby="tr-h">
          <h2 id="tr-h">{m.transitionsTable}</h2>
          <div class="table-wrap" tabIndex={0} role="region" aria-labelledby="tr-h">
            <table class="data">
              <thead><tr><th scope="col">{m.colTransition}</th><th scope="col">{m.colFrom}</th><th scope="col">{m.colTo}</th><th scope="col">{m.colRoles}</th></tr></thead>
              <tbody>
                {(wf.transitions ?? []).map((t) => (
                  <tr key={t.name}>
                    <th scope="row">{n.action(t.name)} <span class="muted">({t.name})</span></th>
                    <td>{(t.from ?? []).map(n.state).join(', ')}</td>
                    <td>{t.to ? n.state(t.to) : m.sameOrRouted}</td>
                    <td>{(t.roles ?? []).map((r) => e.role[r.split('/')[0]] ? `${e.role[r.split('/')[0]]}${r.includes('/') ? ` (${r.split('/')[1].toLowerCase()})` : ''}` : r).join(', ')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p class="muted">{(wf.states ?? []).filter((s) => s.terminal).map((s) => n.state(s.name)).join(', ')}: {m.terminal}</p>
        </section>
      )}
    </div>
  );
}
