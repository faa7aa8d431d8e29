// Charts with chart.js, importing only the parts registered here (bar and line charts). Each chart has a
// text alternative: the same numbers are in the tables beside it.
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip } from 'chart.js';
import { useEffect, useRef } from 'preact/hooks';
import { SEVERITIES, type Counts, type HistoryView } from './api.ts';
import { SEVERITY_COLOUR, SEVERITY_LABEL, total } from './ui.tsx';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, LineController, LineElement, PointElement, Tooltip, Legend);

function useChart(build: (canvas: HTMLCanvasElement) => Chart, deps: unknown[]) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (ref.current === null) return undefined;
    const chart = build(ref.current);
    return () => chart.destroy();
  }, deps);
  return ref;
}

export function SeverityChart(props: { counts: Counts }) {
  const key = JSON.stringify(props.counts);
  const ref = useChart((canvas) => new Chart(canvas, {
    type: 'bar',
    data: {
      labels: SEVERITIES.map((level) => SEVERITY_LABEL[level]),
      datasets: [{ label: 'Vulnerabilities', data: SEVERITIES.map((level) => props.counts[level] ?? 0), backgroundColor: SEVERITIES.map((level) => SEVERITY_COLOUR[level]) }],
    },
    options: { animation: false, responsive: true, maintainAspectRatio: false, plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
  }), [key]);
  const summary = SEVERITIES.map((level) => `${props.counts[level] ?? 0} ${level}`).join(', ');
  return <div class="chart"><canvas ref={ref} role="img" aria-label={`Severity distribution: ${summary}`} /></div>;
}

export function HistoryChart(props: { history: HistoryView }) {
  const points = props.history.points;
  const key = JSON.stringify(points.map((point) => [point.at, point.vulnerabilities]));
  const ref = useChart((canvas) => new Chart(canvas, {
    type: 'line',
    data: {
      labels: points.map((point) => point.at.slice(0, 16).replace('T', ' ')),
      datasets: SEVERITIES.map((level) => ({
        label: SEVERITY_LABEL[level], data: points.map((point) => point.vulnerabilities[level] ?? 0),
        borderColor: SEVERITY_COLOUR[level], backgroundColor: SEVERITY_COLOUR[level], tension: 0, pointRadius: 3,
      })),
    },
    options: { animation: false, responsive: true, maintainAspectRatio: false, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
  }), [key]);
  const last = points.at(-1);
  const label = last === undefined ? 'No evaluations yet' : `Vulnerabilities over time: ${points.length} evaluations, latest ${total(last.vulnerabilities)} in all`;
  return <div class="chart wide"><canvas ref={ref} role="img" aria-label={label} /></div>;
}
