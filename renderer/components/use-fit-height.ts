/**
 * The largest side (CSS pixels) a square element can have so that it fits in the window below
 * where it starts and above the screen's action bar, with `reserveRem` (in rem, so it follows
 * projector mode's type size) left under it for its caption: a QR code shown whole, never cut off
 * at the bottom of the window or hidden behind the bar. Between `min` and `max`; re-measured when
 * the window is resized or projector mode changes the type size.
 */
import { useEffect, useState, type RefObject } from 'react';

export function useFitHeight(
  ref: RefObject<HTMLElement | null>,
  { min, max, reserveRem }: { min: number; max: number; reserveRem: number },
  deps: readonly unknown[] = [],
): number {
  const [side, setSide] = useState(max);
  useEffect(() => {
    const measure = (): void => {
      const el = ref.current;
      if (!el) return;
      const rem = parseFloat(getComputedStyle(document.documentElement).fontSize) || 16;
      const top = el.getBoundingClientRect().top + window.scrollY;
      const bar = document.querySelector('.kw-actionbar')?.getBoundingClientRect().height ?? 0;
      const room = window.innerHeight - top - reserveRem * rem - bar;
      setSide(Math.round(Math.max(min, Math.min(max, room))));
    };
    const frame = requestAnimationFrame(measure);
    window.addEventListener('resize', measure);
    return () => {
      cancelAnimationFrame(frame);
      window.removeEventListener('resize', measure);
    };
  }, [ref, min, max, reserveRem, ...deps]);
  return side;
}
