interface PaginationProps {
  page: number;
  pageSize: number;
  count: number;
  /** false when the API stopped counting at its cap: `count` is then a lower bound. */
  countExact?: boolean;
  /** whether the API offers a next page (its `next` link); needed when the count is not exact. */
  hasNext?: boolean;
  onPage: (page: number) => void;
}

export function Pagination({
  page,
  pageSize,
  count,
  countExact = true,
  hasNext,
  onPage,
}: PaginationProps) {
  const pages = Math.max(1, Math.ceil(count / pageSize));
  const atEnd = countExact ? page >= pages : !(hasNext ?? true);
  return (
    <nav className="pagination" aria-label="Pagination">
      <button type="button" className="btn" disabled={page <= 1} onClick={() => onPage(page - 1)}>
        ‹ Previous
      </button>
      <span>
        {countExact
          ? `Page ${page} of ${pages} · ${count} total`
          : `Page ${page} of ${Math.max(pages, page)}+ · more than ${count}`}
      </span>
      <button type="button" className="btn" disabled={atEnd} onClick={() => onPage(page + 1)}>
        Next ›
      </button>
    </nav>
  );
}
