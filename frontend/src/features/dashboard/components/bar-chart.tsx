import { humanize } from '@/lib/format';

export interface Bar {
  label: string;
  value: number;
  /** For utilization bars: the maximum (capacity). */
  max?: number;
}

/** Horizontal bar chart in inline SVG: no chart library, readable by screen readers via the table. */
export function BarChart({
  title,
  bars,
  unit = '',
}: {
  title: string;
  bars: Bar[];
  unit?: string;
}) {
  if (bars.length === 0) return <p className="muted">No data yet.</p>;
  const max = Math.max(1, ...bars.map((bar) => bar.max ?? bar.value));
  const rowHeight = 26;
  const labelWidth = 130;
  const width = 420;
  const height = bars.length * rowHeight + 4;
  return (
    <figure className="chart">
      <svg
        viewBox={`0 0 ${width} ${height}`}
        role="img"
        aria-label={`${title}: ${bars.map((b) => `${b.label} ${b.value}${unit}`).join(', ')}`}
        preserveAspectRatio="xMinYMin meet"
      >
        {bars.map((bar, index) => {
          const y = index * rowHeight + 2;
          const full = width - labelWidth - 60;
          const w = (bar.value / (bar.max ?? max)) * full * ((bar.max ?? max) / max);
          return (
            <g key={bar.label}>
              <text x={0} y={y + 16} className="chart__label">
                {bar.label.length > 18 ? `${bar.label.slice(0, 17)}…` : bar.label}
              </text>
              {bar.max !== undefined ? (
                <rect
                  x={labelWidth}
                  y={y + 3}
                  width={(bar.max / max) * full}
                  height={rowHeight - 8}
                  className="chart__track"
                  rx={3}
                />
              ) : null}
              <rect
                x={labelWidth}
                y={y + 3}
                width={Math.max(bar.value > 0 ? 2 : 0, w)}
                height={rowHeight - 8}
                className="chart__bar"
                rx={3}
              />
              <text
                x={labelWidth + Math.max(w, bar.max !== undefined ? (bar.max / max) * full : 0) + 6}
                y={y + 16}
                className="chart__value"
              >
                {bar.value}
                {bar.max !== undefined ? `/${bar.max}` : ''}
                {unit}
              </text>
            </g>
          );
        })}
      </svg>
    </figure>
  );
}

/** Turns `{stored: 3}` or `[{status: 'stored', count: 3}]` into bars. */
export function toBars(value: unknown): Bar[] {
  if (!value) return [];
  if (Array.isArray(value)) {
    return value
      .map((entry) => {
        if (!entry || typeof entry !== 'object') return null;
        const record = entry as Record<string, unknown>;
        const label =
          record.label ??
          record.status ??
          record.request_type ??
          record.type ??
          record.name ??
          record.path ??
          record.code ??
          record.key;
        const count = record.count ?? record.value ?? record.total ?? record.occupied;
        if (label === undefined || typeof count !== 'number') return null;
        const capacity = typeof record.capacity === 'number' ? record.capacity : undefined;
        return { label: humanize(String(label)), value: count, max: capacity };
      })
      .filter((bar): bar is NonNullable<typeof bar> => bar !== null);
  }
  if (typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>)
      .filter(([, count]) => typeof count === 'number')
      .map(([label, count]) => ({ label: humanize(label), value: count as number }));
  }
  return [];
}
