import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import { ErrorMessage } from '@/components/ui/error-message';
import { Card, Loading, StatusBadge } from '@/components/ui/misc';
import { api } from '@/lib/api-client';
import { queryKeys } from '@/lib/react-query';
import type { CrateNeighbours, NeighbourCrate } from '@/lib/types';

function Chips({ crates, label }: { crates: NeighbourCrate[]; label: string }) {
  if (crates.length === 0) return <p className="muted">No other crates.</p>;
  return (
    <ul className="crate-chips" aria-label={label}>
      {crates.map((crate) => (
        <li key={crate.id}>
          <Link to={`/crates/${crate.id}`}>{crate.number}</Link>{' '}
          <StatusBadge status={crate.status} />
          {crate.legal_hold ? <span className="badge badge--hold">Legal hold</span> : null}
        </li>
      ))}
    </ul>
  );
}

/** The crates beside this one: the same location and the locations on either side of it. */
export function CrateNeighboursCard({ crateId }: { crateId: number }) {
  const { data, error, isLoading } = useQuery({
    queryKey: [...queryKeys.crates, crateId, 'neighbours'],
    queryFn: ({ signal }) =>
      api.get<CrateNeighbours>(`crates/${crateId}/neighbours/`, undefined, signal),
  });
  return (
    <Card title="Neighbours">
      <ErrorMessage error={error} />
      {isLoading ? <Loading /> : null}
      {data && !data.location ? <p className="muted">Not on a shelf yet.</p> : null}
      {data?.location ? (
        <div data-testid="crate-neighbours">
          <h3>
            Same place:{' '}
            <Link to={`/storage?location=${data.location.id}`}>{data.location.path}</Link>
          </h3>
          <Chips crates={data.same_location} label={`Crates in ${data.location.path}`} />
          {data.adjacent.map((place) => (
            <div key={place.id}>
              <h3>
                Next to it: <Link to={`/storage?location=${place.id}`}>{place.path}</Link>
              </h3>
              <Chips crates={place.crates} label={`Crates in ${place.path}`} />
            </div>
          ))}
        </div>
      ) : null}
    </Card>
  );
}
