// Language selection and formatting. Strings live in sv.ts / en.ts; configured names of
// nodes, needs, areas and actors come from GET /v1/config (Swedish as configured).
import { sv, svEnums, svA11y } from './sv';
import { en, enEnums, enA11y } from './en';
import { useAppState, getState, type Lang } from '../store';
import type { ConfigView } from '../types';
import { humanize } from '../workflow';

export type Msgs = typeof sv;
export type Enums = typeof svEnums;

export const messages = (lang: Lang): Msgs => (lang === 'en' ? en : sv);
export const enums = (lang: Lang): Enums => (lang === 'en' ? enEnums : svEnums);
export const a11yText = (lang: Lang) => (lang === 'en' ? enA11y : svA11y);

/** Fills {name} placeholders. */
export function fmt(s: string, vars: Record<string, string | number> = {}): string {
  return s.replace(/\{(\w+)\}/g, (_, k: string) => (k in vars ? String(vars[k]) : `{${k}}`));
}

export function useT(): { m: Msgs; e: Enums; lang: Lang; n: Names } {
  const st = useAppState();
  return { m: messages(st.lang), e: enums(st.lang), lang: st.lang, n: names(st.config, st.lang) };
}

export function currentMsgs(): Msgs { return messages(getState().lang); }

/**
 * Display names. Configured ids (nodes, needs, areas, actors) use their configured names and
 * fall back to the id. States, levels, transitions and kinds use the translations in sv.ts /
 * en.ts, and names another region's workflow brings that have none fall back to a readable
 * label made from the name ("sendToBoard" → "Send to board").
 */
export interface Names {
  node(id?: string): string;
  need(id?: string): string;
  area(id?: string): string;
  actor(id?: string): string;
  state(id?: string): string;
  level(id?: string): string;
  action(id?: string): string;
  outcome(id?: string): string;
  /** An effect kind of recordEffect (FUNDING_GRANTED, ...). */
  effect(id?: string): string;
  reason(r: string): string;
}

export function names(config: ConfigView | null, lang: Lang): Names {
  const e = enums(lang);
  const m = messages(lang);
  const by = (list?: { id?: string; name?: string }[]) => {
    const map = new Map<string, string>();
    (list ?? []).forEach((x) => { if (x.id) map.set(x.id, x.name || x.id); });
    return (id?: string) => (id ? map.get(id) ?? id : '');
  };
  const node = by(config?.nodes);
  const need = by(config?.needs);
  const area = by(config?.areas);
  const actor = by(config?.actors);
  const label = (table: Record<string, string>) => (id?: string) => (id ? table[id] ?? humanize(id) : '');
  const level = label(e.level);
  return {
    node, need, area, actor, level,
    state: label(e.state),
    action: label(e.action),
    outcome: label(e.outcome),
    effect: label(e.effect),
    // Match reasons such as "need:financing", "area:smart-industri", "node:eskilstuna", "load:3".
    reason: (r: string) => {
      const i = r.indexOf(':');
      if (i < 0) return r;
      const k = r.slice(0, i);
      const v = r.slice(i + 1);
      switch (k) {
        case 'need': return fmt(m.reasonNeed, { x: need(v) });
        case 'area': return fmt(m.reasonArea, { x: area(v) });
        case 'node': return fmt(m.reasonNode, { x: node(v) });
        case 'load': return fmt(m.reasonLoad, { x: v });
        case 'level': return fmt(m.reasonLevel, { x: level(v) });
        default: return r;
      }
    },
  };
}

const locale = (lang: Lang) => (lang === 'en' ? 'en-GB' : 'sv-SE');

export function fmtDateTime(iso: string | undefined, lang: Lang): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString(locale(lang), { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

export function fmtDate(iso: string | undefined, lang: Lang): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleDateString(locale(lang), { year: 'numeric', month: 'short', day: 'numeric' });
}

export function fmtPercent(x: number | undefined, lang: Lang): string {
  if (x === undefined || x === null || Number.isNaN(x)) return '–';
  return new Intl.NumberFormat(locale(lang), { style: 'percent', maximumFractionDigits: 1 }).format(x);
}

export function fmtNumber(x: number, lang: Lang): string {
  return new Intl.NumberFormat(locale(lang)).format(x);
}

/** Parses a protobuf Duration string ("3600s", "1.5s") to seconds. */
export function parseDuration(d?: string | number): number | undefined {
  if (d === undefined || d === null || d === '') return undefined;
  if (typeof d === 'number') return d;
  const mt = /^(-?\d+(?:\.\d+)?)s$/.exec(d.trim());
  return mt ? Number(mt[1]) : undefined;
}

export function fmtDuration(d: string | number | undefined, lang: Lang): string {
  const s = parseDuration(d);
  if (s === undefined) return '–';
  const m = messages(lang);
  if (s >= 86400) return fmt(m.days, { n: (s / 86400).toLocaleString(locale(lang), { maximumFractionDigits: 1 }) });
  if (s >= 3600) return fmt(m.hours, { n: (s / 3600).toLocaleString(locale(lang), { maximumFractionDigits: 1 }) });
  return fmt(m.minutes, { n: Math.max(0, Math.round(s / 60)) });
}
