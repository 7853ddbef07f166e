import { useEffect, useRef, useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { formatDateTime } from '@/lib/format';
import {
  useMarkAllNotificationsRead,
  useMarkNotificationRead,
  useNotifications,
  useUnreadCount,
} from '../api/notifications';

export function NotificationBell() {
  const [open, setOpen] = useState(false);
  const { data } = useNotifications(true);
  const markRead = useMarkNotificationRead();
  const markAll = useMarkAllNotificationsRead();
  const navigate = useNavigate();
  const wrapper = useRef<HTMLDivElement>(null);
  const items = data?.results ?? [];
  const unreadCount = useUnreadCount();
  const unread = unreadCount.data ?? items.filter((n) => !n.read_at).length;

  useEffect(() => {
    if (!open) return;
    const onDown = (event: MouseEvent) => {
      if (!wrapper.current?.contains(event.target as Node)) setOpen(false);
    };
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') setOpen(false);
    };
    document.addEventListener('mousedown', onDown);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('mousedown', onDown);
      document.removeEventListener('keydown', onKey);
    };
  }, [open]);

  return (
    <div className="bell" ref={wrapper}>
      <button
        type="button"
        className="btn btn--ghost bell__button"
        aria-haspopup="true"
        aria-expanded={open}
        aria-label={`Notifications, ${unread} unread`}
        onClick={() => setOpen((v) => !v)}
      >
        <svg width="20" height="20" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
          <path
            fill="currentColor"
            d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3a1.5 1.5 0 0 0-3 0v1.16A7 7 0 0 0 5 11v5l-2 2v1h18v-1l-2-2Z"
          />
        </svg>
        {unread > 0 ? (
          <span className="bell__count" data-testid="unread-count">
            {unread}
          </span>
        ) : null}
      </button>
      {open ? (
        <div className="bell__panel" role="region" aria-label="Notifications">
          <div className="bell__head">
            <strong>Notifications</strong>
            {unread > 0 ? (
              <button type="button" className="btn btn--ghost" onClick={() => markAll.mutate()}>
                Mark all read
              </button>
            ) : null}
          </div>
          {items.length === 0 ? <p className="muted">No notifications.</p> : null}
          <ul className="plain-list">
            {items.map((n) => (
              <li key={n.id} className={`bell__item ${n.read_at ? '' : 'bell__item--unread'}`}>
                <button
                  type="button"
                  className="linklike"
                  onClick={() => {
                    if (!n.read_at) markRead.mutate(n.id);
                    setOpen(false);
                    if (n.link) {
                      const target = n.link.replace(/^https?:\/\/[^/]+/, '');
                      navigate(target.startsWith('/') ? target : `/${target}`);
                    }
                  }}
                >
                  <strong>{n.title}</strong>
                  <span>{n.body}</span>
                  <small className="muted">{formatDateTime(n.created_at)}</small>
                </button>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </div>
  );
}
