import { useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { ListStatus } from '@/components/list/list-status';
import { ListTable } from '@/components/list/list-table';
import { ErrorMessage } from '@/components/ui/error-message';
import { Card, DefinitionList, Loading, PageHeader, StatusBadge } from '@/components/ui/misc';
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
        <ListStatus
          error={crates.error}
          isLoading={crates.isLoading}
          rows={crates.data?.results.length}
          empty="No crates of your units."
        />
        <ListTable
          rows={crates.data?.results}
          testId="hold-crates"
          columns={['Crate', 'Status', 'Department', 'Retention until']}
        >
          {(crate) => (
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
          )}
        </ListTable>
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
