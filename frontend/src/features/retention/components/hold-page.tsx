import { useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { ErrorMessage } from '@/components/ui/error-message';
import {
  Card,
  DefinitionList,
  Empty,
  Loading,
  PageHeader,
  SCROLLABLE,
  StatusBadge,
} from '@/components/ui/misc';
import { Pagination } from '@/components/ui/pagination';
import { useCurrentUser } from '@/contexts/AuthContext';
import { SignatureDialog } from '@/features/requests/components/signature-dialog';
import { formatDate, formatDateTime, humanize } from '@/lib/format';
import { useHold, useHoldCrates, useHoldReleaseContent, useReleaseHold } from '../api/retention';
import { holdScope } from './holds-page';

export function HoldPage() {
  const id = Number(useParams().id);
  const user = useCurrentUser();
  const { data: hold, error, isLoading } = useHold(id);
  const [page, setPage] = useState(1);
  const crates = useHoldCrates(id, page);
  const release = useReleaseHold(id);
  const [releasing, setReleasing] = useState(false);
  const releaseContent = useHoldReleaseContent(id, releasing);
  if (isLoading) return <Loading />;
  if (!hold) return <ErrorMessage error={error} />;
  return (
    <>
      <PageHeader
        title={`${hold.number} — ${hold.title}`}
        actions={
          hold.allowed_actions.includes('release') ? (
            <button type="button" className="btn" onClick={() => setReleasing(true)}>
              Release hold
            </button>
          ) : null
        }
      />
      <div className="grid-2">
        <Card title="Hold">
          <DefinitionList
            items={[
              ['Status', <StatusBadge key="s" status={hold.status} />],
              ['Reason', hold.reason],
              ['Scope', holdScope(hold)],
              ['Placed', `${formatDateTime(hold.placed_at)} by ${hold.placed_by_name}`],
              [
                'Released',
                hold.released_at
                  ? `${formatDateTime(hold.released_at)} by ${hold.released_by_name}: ${hold.release_reason}`
                  : '—',
              ],
            ]}
          />
        </Card>
        <Card title="Signatures">
          <ul data-testid="hold-signatures">
            {hold.signatures.map((signature) => (
              <li key={signature.id}>
                {humanize(signature.meaning)} by {signature.full_name} at{' '}
                {formatDateTime(signature.signed_at)} — SHA-256{' '}
                <code>{signature.content_hash.slice(0, 16)}…</code>
              </li>
            ))}
          </ul>
        </Card>
      </div>
      <Card title="Crates it covers">
        <ErrorMessage error={crates.error} />
        {crates.data && crates.data.results.length === 0 ? (
          <Empty>No crates of your units.</Empty>
        ) : null}
        {crates.data && crates.data.results.length > 0 ? (
          <div className="table-wrap" {...SCROLLABLE}>
            <table className="table" data-testid="hold-crates">
              <thead>
                <tr>
                  <th scope="col">Crate</th>
                  <th scope="col">Status</th>
                  <th scope="col">Department</th>
                  <th scope="col">Retention until</th>
                </tr>
              </thead>
              <tbody>
                {crates.data.results.map((crate) => (
                  <tr key={crate.id}>
                    <td>
                      <Link to={`/crates/${crate.id}`}>{crate.number}</Link>
                    </td>
                    <td>
                      <StatusBadge status={crate.status} />
                    </td>
                    <td>{crate.department_name}</td>
                    <td>{formatDate(crate.retention_until)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
        {crates.data ? (
          <Pagination page={page} pageSize={50} count={crates.data.count} onPage={setPage} />
        ) : null}
      </Card>
      <SignatureDialog
        open={releasing}
        title={`Release ${hold.number}`}
        meaning="hold_released"
        signerName={user.full_name || user.username}
        recordLabel={`${hold.number} — ${hold.title}`}
        commentRequired
        confirmLabel="Sign and release"
        content={
          releaseContent.data
            ? (comment) => ({ ...releaseContent.data.content, release_reason: comment })
            : null
        }
        onClose={() => setReleasing(false)}
        onSign={({ password, comment }) => release.mutateAsync({ reason: comment, password })}
      />
    </>
  );
}
