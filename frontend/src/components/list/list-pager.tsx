import { Pagination } from '@/components/ui/pagination';
import type { ListParams } from '@/lib/use-list-params';

/** What a paginated API answer says about its size (Page<T> without its rows). */
export interface PageInfo {
  count: number;
  /** false when the API stopped counting at its cap. */
  count_exact?: boolean;
  next?: string | null;
}

/** The pager under a list: the page lives in the URL with the filters. */
export function ListPager({
  list,
  pageSize,
  data,
}: {
  list: ListParams;
  pageSize: number;
  data: PageInfo | undefined;
}) {
  if (!data) return null;
  return (
    <Pagination
      page={list.page}
      pageSize={pageSize}
      count={data.count}
      countExact={data.count_exact ?? true}
      hasNext={data.next != null}
      onPage={(page) => list.setParam('page', String(page))}
    />
  );
}
