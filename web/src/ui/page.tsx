import { useEffect, useRef, type ReactNode } from 'react';

/**
 * A page's title and heading. The heading takes focus when a page is reached by navigation
 * (not on the first load), so screen reader and keyboard users start at the new content.
 */
export function Page({
  title,
  heading,
  children,
  className,
}: {
  title: string;
  heading?: ReactNode;
  children: ReactNode;
  className?: string;
}) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} · Events`;
  }, [title]);
  useEffect(() => {
    if (navigationCount++ > 0) ref.current?.focus({ preventScroll: false });
  }, []);
  return (
    <div className={className ? `page ${className}` : 'page'}>
      <h1 ref={ref} tabIndex={-1}>
        {heading ?? title}
      </h1>
      {children}
    </div>
  );
}

let navigationCount = 0;
