/** Display helpers: money, dates and times as a patient reads them (China Standard Time). */
const CST_OFFSET_MS = 8 * 3600 * 1000
const WEEKDAYS = ['日', '一', '二', '三', '四', '五', '六']

function pad(n) {
  return String(n).padStart(2, '0')
}

/** 1000 → "10.00" (money is integer fen end to end; only display divides). */
function yuan(fen) {
  const value = Number(fen) || 0
  return `${Math.floor(value / 100)}.${pad(value % 100)}`
}

/** A Date shifted so its UTC fields read as China Standard Time. */
function cst(input) {
  const ms = typeof input === 'number' ? input : Date.parse(input)
  return new Date(ms + CST_OFFSET_MS)
}

function time(iso) {
  const d = cst(iso)
  return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`
}

/** "2026-11-23" → "11月23日 周一" */
function day(isoDate) {
  const [y, m, d] = isoDate.split('-').map(Number)
  const weekday = new Date(Date.UTC(y, m - 1, d)).getUTCDay()
  return `${m}月${d}日 周${WEEKDAYS[weekday]}`
}

/** An ISO moment as its day in China: "11月23日" */
function monthDay(iso) {
  const d = cst(iso)
  return `${d.getUTCMonth() + 1}月${d.getUTCDate()}日`
}

function dateTime(iso) {
  const d = cst(iso)
  return `${d.getUTCMonth() + 1}月${d.getUTCDate()}日 ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`
}

/** Today's date in China as YYYY-MM-DD, plus `offsetDays`. */
function isoDay(nowMs, offsetDays = 0) {
  const d = cst(nowMs + offsetDays * 86400000)
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`
}

/** 125 seconds → "2分05秒" */
function countdown(seconds) {
  const s = Math.max(0, Math.floor(seconds))
  return `${Math.floor(s / 60)}分${pad(s % 60)}秒`
}

module.exports = { yuan, time, day, monthDay, dateTime, isoDay, countdown, pad }
