import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import { ErrorMessage } from '@/components/ui/error-message';
import { Card, Loading, StatusBadge, SCROLLABLE } from '@/components/ui/misc';
import { api } from '@/lib/api-client';
import { formatDate } from '@/lib/format';
import { queryKeys } from '@/lib/react-query';
import type { RequestContext } from '@/lib/types';

/**
 * What an approver decides on: every crate of the request with its documents, retention dates
 * and legal hold (GET /api/requests/{id}/context/), not only the crate numbers.
 */
export function RequestContextCard({ requestId }: { requestId: number }) {
  const { data, error, isLoading } = useQuery({
    queryKey: [...queryKeys.requests, requestId, 'context'],
    queryFn: ({ signal }) =>
      api.get<RequestContext>(`requests/${requestId}/context/`, undefined, signal),
  });
  return (
    <Card title="Crates and documents in this request">
      <ErrorMessage error={error} />
      {isLoading ? <Loading /> : null}
      <div data-testid="request-context">
        {data?.crates.map((crate) => (
          <section key={crate.id} className="context-crate" aria-label={`Crate ${crate.number}`}>
            <h3>
              <Link to={`/crates/${crate.id}`}>{crate.number}</Link>{' '}
              <StatusBadge status={crate.status} />{' '}
              {crate.legal_hold ? (
                <span className="badge badge--hold">Legal hold: {crate.legal_hold_reason}</span>
              ) : null}
              {crate.due_for_destruction ? <span className="badge">Retention reached</span> : null}
            </h3>
            <p className="muted">
              {crate.department_name} · {crate.location_path ?? 'no location'} · retained until{' '}
              {formatDate(crate.retention_until)} ·{' '}
              {crate.whole_crate ? 'whole crate' : 'selected documents'}
            </p>
            <div className="table-wrap" {...SCROLLABLE}>
              <table className="table">
                <thead>
                  <tr>
                    <th scope="col">Document</th>
                    <th scope="col">Title</th>
                    <th scope="col">Type</th>
                    <th scope="col">Record date</th>
                    <th scope="col">Retention until</th>
                    <th scope="col">Status</th>
                    <th scope="col">In this request</th>
                  </tr>
                </thead>
                <tbody>
                  {crate.documents.map((doc) => (
                    <tr key={doc.id}>
                      <td>{doc.number}</td>
                      <td>{doc.title}</td>
                      <td>{doc.document_type_code}</td>
                      <td>{formatDate(doc.record_date)}</td>
                      <td>{formatDate(doc.retention_until)}</td>
                      <td>
                        <StatusBadge status={doc.status} />
                      </td>
                      <td>{doc.in_request ? 'Yes' : 'No'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>
        ))}
      </div>
    </Card>
  );
}
