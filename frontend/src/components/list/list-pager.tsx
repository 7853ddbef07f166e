import { Pagination } from '@/components/ui/pagination';
import { pageNumber, type ListParams } from '@/lib/use-list-params';

/** What a paginated API answer says about its size (Page<T> without its rows). */
export interface PageInfo {
  count: number;
  /** false when the API stopped counting at its cap. */
  count_exact?: boolean;
  next?: string | null;
}

/**
 * The pager under a list: the page lives in the URL with the filters, as `page` or, for a
 * second list on one screen (a location's crates), under a name of its own.
 */
export function ListPager({
  list,
  pageSize,
  data,
  param = 'page',
}: {
  list: ListParams;
  pageSize: number;
  data: PageInfo | undefined;
  param?: string;
}) {
  if (!data) return null;
  const page = param === 'page' ? list.page : pageNumber(list.params[param]);
  return (
    <Pagination
      page={page}
      pageSize={pageSize}
      count={data.count}
      countExact={data.count_exact ?? true}
      hasNext={data.next != null}
      onPage={(next) => list.setParam(param, String(next))}
    />
  );
}
