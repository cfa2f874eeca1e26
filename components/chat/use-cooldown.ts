"use client";

import { useCallback, useEffect, useState } from "react";

interface Cooldown {
  until: number;
  left: number;
}

/**
 * A wait the server asked for (Retry-After): the seconds left, ticking down, 0 when none.
 * `ended` turns true when a wait runs out (for a one-time "you can send again" announcement)
 * and false again when a new one starts or `reset` is called.
 */
export function useCooldown(): { secondsLeft: number; ended: boolean; start: (seconds: number) => void; reset: () => void } {
  const [state, setState] = useState<Cooldown | null>(null);
  const [ended, setEnded] = useState(false);
  const until = state?.until ?? null;

  useEffect(() => {
    if (until === null) return;
    const tick = () => {
      const left = Math.max(0, Math.ceil((until - Date.now()) / 1000));
      if (left === 0) {
        setState(null);
        setEnded(true);
      } else {
        setState((s) => (s && s.until === until && s.left !== left ? { until, left } : s));
      }
    };
    // A quarter-second tick keeps the shown number within 250 ms of the truth.
    const id = setInterval(tick, 250);
    return () => clearInterval(id);
  }, [until]);

  const start = useCallback((seconds: number) => {
    setEnded(false);
    setState({ until: Date.now() + seconds * 1000, left: Math.ceil(seconds) });
  }, []);
  const reset = useCallback(() => {
    setEnded(false);
    setState(null);
  }, []);

  return { secondsLeft: state?.left ?? 0, ended, start, reset };
}
