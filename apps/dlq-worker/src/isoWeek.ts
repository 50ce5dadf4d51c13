const DAY_MS = 86_400_000;

/** The ISO-8601 week (UTC) an instant falls in, e.g. `2026-W28`. */
export function isoWeekOf(instant: Date): string {
  const weekday = instant.getUTCDay() || 7; // Monday 1 … Sunday 7
  // An ISO week belongs to the year its Thursday falls in, and week 1 holds the year's first Thursday.
  const thursday = Date.UTC(instant.getUTCFullYear(), instant.getUTCMonth(), instant.getUTCDate() + 4 - weekday);
  const year = new Date(thursday).getUTCFullYear();
  const week = Math.floor((thursday - Date.UTC(year, 0, 1)) / DAY_MS / 7) + 1;
  return `${year}-W${String(week).padStart(2, "0")}`;
}
