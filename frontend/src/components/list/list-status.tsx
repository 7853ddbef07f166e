import { ErrorMessage } from '@/components/ui/error-message';
import { Empty, Loading } from '@/components/ui/misc';

/** The states of a list before its rows: the error, loading, or the sentence for no rows. */
export function ListStatus({
  error,
  isLoading,
  rows,
  empty,
}: {
  error: unknown;
  isLoading: boolean;
  /** How many rows came back (undefined while there is no answer). */
  rows: number | undefined;
  empty: string;
}) {
  return (
    <>
      <ErrorMessage error={error} />
      {isLoading ? <Loading /> : null}
      {rows === 0 ? <Empty>{empty}</Empty> : null}
    </>
  );
}
