// ECharts with only the parts the dashboard draws (tree-shaken): Sankey, line and bar charts
// on the canvas renderer. Tooltips render as rich text on the canvas, not as HTML, so no
// inline style attributes reach the DOM (the server's CSP forbids them).
import * as echarts from 'echarts/core';
import { SankeyChart, LineChart, BarChart } from 'echarts/charts';
import { GridComponent, TooltipComponent, LegendComponent, AriaComponent, DatasetComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([SankeyChart, LineChart, BarChart, GridComponent, TooltipComponent, LegendComponent, AriaComponent, DatasetComponent, CanvasRenderer]);

export { echarts };
export type EChartsOption = echarts.EChartsCoreOption;

// One accent colour and calm, high-contrast companions (each ≥ 3:1 against white, as
// graphical objects need under WCAG 1.4.11).
export const PALETTE = ['#0b5cad', '#b4460c', '#2d7a3e', '#6b3fa0', '#8a6d00', '#a3195b', '#1f6f78', '#595959'];
