/**
 * Lenient, deterministic datetime parsing for coercion: RFC 3339, RFC 2822,
 * partial dates, plain English dates and unix timestamps, always to UTC.
 *
 * @module
 */

const MONTHS = [
  "jan",
  "feb",
  "mar",
  "apr",
  "may",
  "jun",
  "jul",
  "aug",
  "sep",
  "oct",
  "nov",
  "dec",
];
const MONTH = `(${MONTHS.join("|")})[a-z]*\\.?`;
const TIME = String
  .raw`(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?\s*([ap]\.?m\.?)?`;
const ZONE = String.raw`(z|ut|utc|gmt|[ecmp][sd]t|[+-]\d{2}(?::?\d{2})?)`;
const WEEKDAY = String.raw`(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+)?`;

// 2024-03-05T10:00:00.123+02:00, 2024-03-05 10:00, 2024/03/05, 2024-03, 2024.
const ISO = new RegExp(
  String
    .raw`^(\d{4})(?:[-/](\d{2})(?:[-/](\d{2})(?:[t\s]+${TIME}\s*${ZONE}?)?)?)?$`,
);
// Tue, 01 Jul 2025 10:00:00 +0000 (RFC 2822), 5 March 2024, 5 Mar 2024 10:00 UTC.
const DAY_MONTH_YEAR = new RegExp(
  String
    .raw`^${WEEKDAY}(\d{1,2})\s+${MONTH}\s+(\d{2}|\d{4})(?:,?\s+${TIME}\s*${ZONE}?)?$`,
);
// March 5, 2024; Mar 5 2024 10:30 PM; March 2024.
const MONTH_DAY_YEAR = new RegExp(
  String
    .raw`^${WEEKDAY}${MONTH}\s+(?:(\d{1,2})(?:st|nd|rd|th)?,?\s+)?(\d{4})(?:,?\s+(?:at\s+)?${TIME}\s*${ZONE}?)?$`,
);
// 20240305T100000Z: the basic ISO 8601 form iCalendar uses.
const BASIC = /^(\d{4})(\d{2})(\d{2})t(\d{2})(\d{2})(\d{2})?(z)?$/;
const NUMERIC = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/;
const ZONES: Record<string, number> = {
  z: 0,
  ut: 0,
  utc: 0,
  gmt: 0,
  est: -300,
  edt: -240,
  cst: -360,
  cdt: -300,
  mst: -420,
  mdt: -360,
  pst: -480,
  pdt: -420,
};

/** Unix timestamps below this magnitude are seconds; at or above, milliseconds. */
export const UNIX_SECONDS_LIMIT = 1e11;

/**
 * Parses a datetime leniently and deterministically.
 *
 * Accepts a `Date`; a number or numeric string as unix time (seconds when its
 * magnitude is below 1e11, else milliseconds), except that an integer from
 * 1000 to 9999 is a year; RFC 3339 / ISO 8601 (`T` or space, optional
 * seconds, fraction and offset); RFC 2822 (`Tue, 01 Jul 2025 10:00:00
 * +0000`, with `GMT`, `UT`, US zones); `YYYY-MM-DD`, `YYYY/MM/DD`, `YYYY-MM`,
 * `YYYY`; the iCalendar basic form (`20240305T101500Z`); and English dates
 * (`March 5, 2024`, `5 Mar 2024 10:30 PM`).
 * Times without an offset are taken as UTC: the engine has no user time zone.
 * Ambiguous forms such as `03/05/2024` are refused.
 *
 * @param raw The value to parse.
 * @returns Milliseconds since the epoch, or `undefined` when `raw` is not a
 *   datetime in years 0001–9999.
 * @example
 * ```ts
 * new Date(parseDatetime("2024-03")!).toISOString(); // "2024-03-01T00:00:00.000Z"
 * parseDatetime(1700000000); // 1700000000000
 * ```
 */
export function parseDatetime(raw: unknown): number | undefined {
  let ms: number | undefined;
  if (raw instanceof Date) ms = raw.getTime();
  else if (typeof raw === "number") ms = fromNumber(raw);
  else if (typeof raw === "string") ms = fromString(raw.trim().toLowerCase());
  // Years 0001–9999 keep the RFC 3339 form of Date.toISOString().
  if (ms === undefined || !(ms >= -62135596800000 && ms <= 253402300799999)) {
    return undefined;
  }
  return ms;
}

function fromNumber(n: number): number | undefined {
  if (!Number.isFinite(n)) return undefined;
  if (Number.isInteger(n) && n >= 1000 && n <= 9999) return Date.UTC(n, 0, 1);
  return Math.trunc(Math.abs(n) < UNIX_SECONDS_LIMIT ? n * 1000 : n);
}

function fromString(s: string): number | undefined {
  if (NUMERIC.test(s)) {
    return /^\d{4}$/.test(s)
      ? Date.UTC(Number(s), 0, 1)
      : fromNumber(Number(s));
  }
  let m = BASIC.exec(s);
  if (m) {
    return build(m[1], m[2], m[3], [
      m[4],
      m[5],
      m[6],
      undefined,
      undefined,
      m[7],
    ]);
  }
  m = ISO.exec(s);
  if (m) return build(m[1], m[2], m[3], m.slice(4, 10));
  m = DAY_MONTH_YEAR.exec(s);
  if (m) return build(fullYear(m[3]!), monthOf(m[2]!), m[1], m.slice(4, 10));
  m = MONTH_DAY_YEAR.exec(s);
  if (m) return build(m[3], monthOf(m[1]!), m[2], m.slice(4, 10));
  return undefined;
}

/** RFC 2822 two-digit years: 00–49 are 20xx, 50–99 are 19xx. */
function fullYear(y: string): string {
  return y.length === 2
    ? String(Number(y) < 50 ? 2000 + Number(y) : 1900 + Number(y))
    : y;
}

function monthOf(name: string): string {
  return String(MONTHS.indexOf(name.slice(0, 3)) + 1);
}

/** Builds UTC milliseconds from parts, refusing out-of-range parts. */
function build(
  year: string | undefined,
  month: string | undefined,
  day: string | undefined,
  [hour, minute, second, fraction, meridiem, zone]: (string | undefined)[],
): number | undefined {
  const y = Number(year);
  const mo = Number(month ?? 1);
  const d = Number(day ?? 1);
  let h = Number(hour ?? 0);
  const mi = Number(minute ?? 0);
  const s = Number(second ?? 0);
  if (mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo)) return undefined;
  if (meridiem !== undefined) {
    if (h < 1 || h > 12) return undefined;
    h = (h % 12) + (meridiem.startsWith("p") ? 12 : 0);
  }
  // 24:00 is allowed as the end of a day; 60 seconds as a leap second.
  if (h > 24 || (h === 24 && (mi > 0 || s > 0)) || mi > 59 || s > 60) {
    return undefined;
  }
  const offset = zone === undefined ? 0 : zoneMinutes(zone);
  if (offset === undefined) return undefined;
  const ms = Number(((fraction ?? "") + "000").slice(0, 3));
  const utc = new Date(0);
  utc.setUTCFullYear(y, mo - 1, d); // setUTCFullYear keeps years 0–99 literal
  utc.setUTCHours(h, mi, s, ms);
  return utc.getTime() - offset * 60_000;
}

function daysIn(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return month === 2
    ? (leap ? 29 : 28)
    : [31, 0, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
}

function zoneMinutes(zone: string): number | undefined {
  if (zone in ZONES) return ZONES[zone];
  const m = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone);
  if (!m) return undefined;
  const h = Number(m[2]);
  const mi = Number(m[3] ?? 0);
  if (h > 23 || mi > 59) return undefined;
  return (m[1] === "-" ? -1 : 1) * (h * 60 + mi);
}
