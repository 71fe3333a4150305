/** Whether projector mode is on (the shell puts a class on the document element). */
import { useEffect, useState } from 'react';

export function useProjector(): boolean {
  const [on, setOn] = useState(() => document.documentElement.classList.contains('kw-projector-mode'));
  useEffect(() => {
    const observer = new MutationObserver(() =>
      setOn(document.documentElement.classList.contains('kw-projector-mode')),
    );
    observer.observe(document.documentElement, { attributes: true, attributeFilter: ['class'] });
    return () => observer.disconnect();
  }, []);
  return on;
}
