// An ECharts chart in a labelled figure. The canvas is hidden from assistive technology
// (role="img" with a text label); the same numbers are offered as a table beside it.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { echarts, type EChartsOption } from '../charts';
import { useT } from '../i18n';

export function Chart({ option, label, tall, short, table, id }: { option: EChartsOption; label: string; tall?: boolean; short?: boolean; table?: ComponentChildren; id: string }) {
  const ref = useRef<HTMLDivElement>(null);
  const chart = useRef<ReturnType<typeof echarts.init> | null>(null);
  const { m } = useT();
  useEffect(() => {
    const el = ref.current!;
    chart.current = echarts.init(el, undefined, { renderer: 'canvas' });
    const ro = new ResizeObserver(() => chart.current?.resize());
    ro.observe(el);
    return () => { ro.disconnect(); chart.current?.dispose(); chart.current = null; };
  }, []);
  useEffect(() => { chart.current?.setOption(option, true); }, [option]);
  return (
    <figure class="chart-figure" aria-labelledby={`${id}-cap`}>
      <figcaption id={`${id}-cap`} class="h3">{label}</figcaption>
      <div ref={ref} class={tall ? 'chart tall' : short ? 'chart short' : 'chart'} role="img" aria-label={label} data-chart={id} />
      {table && (
        <details class="chart-table">
          <summary>{m.showTable}<span class="sr-only">: {label}</span></summary>
          {table}
        </details>
      )}
    </figure>
  );
}
