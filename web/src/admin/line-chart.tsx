import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface Series {
  label: string;
  values: number[];
  color: string;
}

/** A time-series chart (uPlot, loaded only with this module). Resizes with its container. */
export default function LineChart({
  times,
  series,
  label,
}: {
  times: number[];
  series: Series[];
  label: string;
}) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const width = () => Math.max(280, element.clientWidth);
    const chart = new uPlot(
      {
        width: width(),
        height: 260,
        series: [
          {},
          ...series.map((s) => ({
            label: s.label,
            stroke: s.color,
            width: 2,
            points: { show: times.length < 60 },
          })),
        ],
        axes: [{ stroke: '#333' }, { stroke: '#333' }],
        scales: { x: { time: true } },
      },
      [times, ...series.map((s) => s.values)],
      element,
    );
    const resize = new ResizeObserver(() => chart.setSize({ width: width(), height: 260 }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      chart.destroy();
    };
  }, [times, series]);
  return <div ref={box} className="chart" role="img" aria-label={label} />;
}
