import type {
  AnalyticsOverview,
  ModelsResponse,
  ModelSummary,
  RetrainResponse,
  SearchReport,
  TopEvents,
} from '@platform/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { lazy, Suspense, useMemo, useState } from 'react';
import { Link } from 'react-router';
import { isNotFound } from '../api/api-error.js';
import { RequireAuth } from '../auth/auth.pages.js';
import { useApi } from '../app/services.js';
import { percent } from '../ui/format.js';
import { Page } from '../ui/page.js';
import { Empty, ErrorState, Loading } from '../ui/states.js';

// The chart library is only fetched when a chart is drawn.
const LineChart = lazy(() => import('./line-chart.js'));

const ranges = {
  '24h': { label: 'Last 24 hours', ms: 24 * 3_600_000, interval: '1h' },
  '7d': { label: 'Last 7 days', ms: 7 * 86_400_000, interval: '1h' },
  '30d': { label: 'Last 30 days', ms: 30 * 86_400_000, interval: '1d' },
} as const;
type RangeKey = keyof typeof ranges;

function useRange(key: RangeKey) {
  return useMemo(() => {
    // Whole hours, so the query key (and the cache) is stable for a while.
    const to = new Date(Math.ceil(Date.now() / 3_600_000) * 3_600_000);
    const from = new Date(to.getTime() - ranges[key].ms);
    return { from: from.toISOString(), to: to.toISOString(), interval: ranges[key].interval };
  }, [key]);
}

function AdminPage() {
  const [rangeKey, setRangeKey] = useState<RangeKey>('7d');
  const range = useRange(rangeKey);
  return (
    <Page title="Admin" heading="Numbers">
      <div className="field inline-field">
        <label htmlFor="range">Period</label>
        <select
          id="range"
          value={rangeKey}
          onChange={(e) => setRangeKey(e.target.value as RangeKey)}
        >
          {Object.entries(ranges).map(([k, r]) => (
            <option key={k} value={k}>
              {r.label}
            </option>
          ))}
        </select>
      </div>
      <Overview range={range} />
      <div className="two-columns">
        <TopEventsSection range={range} />
        <SearchesSection range={range} />
      </div>
      <Models />
    </Page>
  );
}

function Overview({ range }: { range: { from: string; to: string; interval: string } }) {
  const api = useApi();
  const overview = useQuery({
    queryKey: ['analytics', 'overview', range],
    queryFn: ({ signal }) =>
      api.get<AnalyticsOverview>('/v1/analytics/overview', { query: range, signal }),
  });
  const chart = useMemo(() => {
    const series = overview.data?.series ?? [];
    return {
      times: series.map((p) => Date.parse(p.t) / 1000),
      series: [
        { label: 'Registrations', values: series.map((p) => p.registrations), color: '#0b57d0' },
        { label: 'Views', values: series.map((p) => p.views), color: '#b3261e' },
      ],
    };
  }, [overview.data]);
  if (overview.isPending) return <Loading label="Loading the overview…" />;
  if (overview.isError)
    return (
      <ErrorState
        error={overview.error}
        title="Could not load the overview"
        retry={() => void overview.refetch()}
      />
    );
  const t = overview.data.totals;
  const funnel = [
    { label: 'Impressions', value: t.impressions },
    { label: 'Views', value: t.views },
    { label: 'Registrations', value: t.registrations },
  ];
  const top = Math.max(1, ...funnel.map((f) => f.value));
  return (
    <>
      <section aria-labelledby="totals-heading" className="section">
        <h2 id="totals-heading">Totals</h2>
        <dl className="stats">
          <Stat label="Registrations" value={t.registrations} />
          <Stat label="Views" value={t.views} />
          <Stat label="Click-through" value={percent(t.clickThroughRate)} />
          <Stat label="Active people" value={t.activeUsers} />
          <Stat label="Searches" value={t.searches} />
        </dl>
      </section>
      <section aria-labelledby="series-heading" className="section">
        <h2 id="series-heading">Registrations over time</h2>
        {chart.times.length === 0 ? (
          <Empty>No activity in this period.</Empty>
        ) : (
          <Suspense fallback={<Loading label="Drawing the chart…" />}>
            <LineChart
              times={chart.times}
              series={chart.series}
              label="Registrations and views over time"
            />
          </Suspense>
        )}
        <details>
          <summary>Show as a table</summary>
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col">Registrations</th>
                  <th scope="col">Views</th>
                </tr>
              </thead>
              <tbody>
                {overview.data.series.map((p) => (
                  <tr key={p.t}>
                    <td>{new Date(p.t).toLocaleString()}</td>
                    <td>{p.registrations}</td>
                    <td>{p.views}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </details>
      </section>
      <section aria-labelledby="funnel-heading" className="section">
        <h2 id="funnel-heading">Funnel</h2>
        <ol className="bars">
          {funnel.map((f, i) => (
            <li key={f.label}>
              <span className="bar-label">
                {f.label}: {f.value.toLocaleString()}
                {i > 0 && stepRate(funnel[i - 1]!.value, f.value)}
              </span>
              <span
                className="bar"
                style={{ width: `${(f.value / top) * 100}%` }}
                aria-hidden="true"
              />
            </li>
          ))}
        </ol>
      </section>
    </>
  );
}

/** " (12% of the step before)", left out when the step is larger than the one before it: seeded
 * or imported registrations never went through a tracked view, so a ratio would mislead. */
function stepRate(before: number, value: number): string {
  if (before === 0 || value > before) return '';
  return ` (${percent(value / before)} of the step before)`;
}

function Stat({ label, value }: { label: string; value: number | string }) {
  return (
    <div className="stat">
      <dt>{label}</dt>
      <dd>{typeof value === 'number' ? value.toLocaleString() : value}</dd>
    </div>
  );
}

function TopEventsSection({ range }: { range: { from: string; to: string } }) {
  const api = useApi();
  const top = useQuery({
    queryKey: ['analytics', 'top', range],
    queryFn: ({ signal }) =>
      api.get<TopEvents>('/v1/analytics/top', {
        query: { from: range.from, to: range.to, metric: 'registrations', limit: 10 },
        signal,
      }),
  });
  let content;
  if (top.isPending) content = <Loading />;
  else if (top.isError) content = <ErrorState error={top.error} retry={() => void top.refetch()} />;
  else if (top.data.items.length === 0) content = <Empty>No registrations in this period.</Empty>;
  else {
    const max = Math.max(1, ...top.data.items.map((i) => i.value));
    content = (
      <ol className="bars">
        {top.data.items.map((item) => (
          <li key={item.eventId}>
            <span className="bar-label">
              <Link to={`/events/${item.eventId}`}>{item.title ?? item.eventId}</Link>: {item.value}
            </span>
            <span
              className="bar"
              style={{ width: `${(item.value / max) * 100}%` }}
              aria-hidden="true"
            />
          </li>
        ))}
      </ol>
    );
  }
  return (
    <section aria-labelledby="top-heading" className="section">
      <h2 id="top-heading">Top events by registrations</h2>
      {content}
    </section>
  );
}

function SearchesSection({ range }: { range: { from: string; to: string } }) {
  const api = useApi();
  const report = useQuery({
    queryKey: ['analytics', 'searches', range],
    queryFn: ({ signal }) =>
      api.get<SearchReport>('/v1/analytics/searches', {
        query: { from: range.from, to: range.to, limit: 10 },
        signal,
      }),
  });
  let content;
  if (report.isPending) content = <Loading />;
  else if (report.isError)
    content = <ErrorState error={report.error} retry={() => void report.refetch()} />;
  else if (report.data.noResults.length === 0)
    content = <Empty>Every search found something.</Empty>;
  else
    content = (
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Query</th>
              <th scope="col">Searches</th>
              <th scope="col">People</th>
            </tr>
          </thead>
          <tbody>
            {report.data.noResults.map((q) => (
              <tr key={q.query}>
                <td>{q.query}</td>
                <td>{q.searches}</td>
                <td>{q.users}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    );
  return (
    <section aria-labelledby="no-results-heading" className="section">
      <h2 id="no-results-heading">Searches without results</h2>
      {content}
    </section>
  );
}

const metricNames = {
  ndcg10: 'NDCG@10',
  recall10: 'Recall@10',
  map10: 'MAP@10',
  coverage: 'Coverage',
} as const;

function Models() {
  const api = useApi();
  const queryClient = useQueryClient();
  const models = useQuery({
    queryKey: ['ml', 'models'],
    queryFn: ({ signal }) => api.get<ModelsResponse>('/v1/admin/ml/models', { signal }),
    retry: false,
    refetchInterval: (q) => (q.state.data?.training ? 5_000 : false),
  });
  const retrain = useMutation({
    mutationFn: () => api.post<RetrainResponse>('/v1/admin/ml/retrain'),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['ml', 'models'] }),
  });
  let content;
  if (models.isPending) content = <Loading label="Loading model status…" />;
  else if (models.isError)
    content = isNotFound(models.error) ? (
      <Empty>The recommendation service is not available on this server.</Empty>
    ) : (
      <ErrorState error={models.error} retry={() => void models.refetch()} />
    );
  else {
    const { live, models: runs, training } = models.data;
    content = (
      <>
        {live ? (
          <ModelCard model={live} />
        ) : (
          <Empty>No model is live yet: recommendations use trending events.</Empty>
        )}
        {training && <p role="status">A training run is in progress…</p>}
        {runs.length > 0 && (
          <div className="table-wrap">
            <table>
              <caption>Latest runs</caption>
              <thead>
                <tr>
                  <th scope="col">Version</th>
                  <th scope="col">Algorithm</th>
                  <th scope="col">Status</th>
                  <th scope="col">NDCG@10</th>
                  <th scope="col">Popularity NDCG@10</th>
                  <th scope="col">Created</th>
                </tr>
              </thead>
              <tbody>
                {runs.map((m) => (
                  <tr key={m.version}>
                    <td>{m.version}</td>
                    <td>{m.algorithm}</td>
                    <td title={m.reason ?? undefined}>{m.status}</td>
                    <td>{m.metrics ? m.metrics.candidate.ndcg10.toFixed(3) : '–'}</td>
                    <td>{m.metrics ? m.metrics.popularity.ndcg10.toFixed(3) : '–'}</td>
                    <td>{new Date(m.createdAt).toLocaleString()}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </>
    );
  }
  return (
    <section aria-labelledby="models-heading" className="section">
      <h2 id="models-heading">Recommendation model</h2>
      {content}
      <p>
        <button
          type="button"
          className="button secondary"
          disabled={retrain.isPending || models.data?.training === true || models.isError}
          onClick={() => retrain.mutate()}
        >
          {retrain.isPending ? 'Requesting…' : 'Retrain now'}
        </button>
      </p>
      <p role="status">
        {retrain.data &&
          (retrain.data.status === 'queued'
            ? `Training queued (job ${retrain.data.jobId}).`
            : 'A run is already going on; it answers this request.')}
      </p>
      {retrain.isError && <ErrorState error={retrain.error} title="Could not start training" />}
    </section>
  );
}

function ModelCard({ model }: { model: ModelSummary }) {
  return (
    <div className="model-card">
      <p>
        <strong>
          Live: version {model.version} ({model.algorithm})
        </strong>
        {model.promotedAt && <> since {new Date(model.promotedAt).toLocaleString()}</>}. Trained on{' '}
        {model.users.toLocaleString()} people, {model.items.toLocaleString()} events,{' '}
        {model.interactions.toLocaleString()} interactions
        {model.trainSeconds !== null && <> in {model.trainSeconds.toFixed(1)} s</>}.
      </p>
      {model.metrics && (
        <div className="table-wrap">
          <table>
            <caption>Offline metrics on the holdout</caption>
            <thead>
              <tr>
                <th scope="col">Metric</th>
                <th scope="col">This model</th>
                <th scope="col">Popularity baseline</th>
                <th scope="col">Previous live</th>
              </tr>
            </thead>
            <tbody>
              {(Object.keys(metricNames) as (keyof typeof metricNames)[]).map((k) => (
                <tr key={k}>
                  <th scope="row">{metricNames[k]}</th>
                  <td>{model.metrics!.candidate[k].toFixed(3)}</td>
                  <td>{model.metrics!.popularity[k].toFixed(3)}</td>
                  <td>{model.metrics!.live ? model.metrics!.live[k].toFixed(3) : '–'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

export function AdminRoute() {
  return (
    <RequireAuth role="admin">
      <AdminPage />
    </RequireAuth>
  );
}
