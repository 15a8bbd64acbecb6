/** 儿童预防接种: what is due, booking the 接种门诊, the health questions, 留观 and after-care. */
const { call } = require('../../services/api')
const format = require('../../utils/format')
const clock = require('../../utils/clock')

/** How a dose's state reads and looks (never by colour alone: each has its words). */
const STATES = {
  overdue: { label: '请尽快补种', tone: 'danger' },
  due: { label: '现在可以打', tone: 'warn' },
  clinic_decides: { label: '请医生评估', tone: 'warn' },
  not_yet_due: { label: '还没到时间', tone: 'plain' },
  past_age_limit: { label: '不再补种', tone: 'plain' },
  completed: { label: '已完成', tone: 'ok' },
}

/** After-care levels: what the parent must do, in words first. */
const LEVELS = {
  ok: { title: '孩子情况很好', tone: 'ok' },
  watch: { title: '常见的轻微反应', tone: 'warn' },
  aefi: { title: '请尽快带孩子去医院', tone: 'danger' },
  emergency: { title: '请马上拨打120', tone: 'danger' },
}

function child(childId) {
  return call('vaccination.child', { params: { child_id: childId } })
}

function book(childId, slotId, key) {
  return call('vaccination.book', { body: { child_id: childId, slot_id: slotId }, idempotencyKey: key })
}

function healthQuestions() {
  return call('vaccination.healthQuestions')
}

function screening(bookingId) {
  return call('vaccination.screening', { params: { booking_id: bookingId } })
}

function answerScreening(bookingId, answers) {
  return call('vaccination.answerScreening', { params: { booking_id: bookingId }, body: { answers } })
}

function observation(recordId) {
  return call('vaccination.observation', { params: { record_id: recordId } })
}

function afterCareQuestions() {
  return call('vaccination.afterCareQuestions')
}

function answerAfterCare(recordId, answers) {
  return call('vaccination.answerAfterCare', { params: { record_id: recordId }, body: { answers } })
}

function chineseDate(iso) {
  if (!iso) return ''
  const [y, m, d] = iso.split('-').map(Number)
  return `${y}年${m}月${d}日`
}

/** One dose as the list shows it: its state in words, its dates and the rule behind them. */
function doseView(dose) {
  const state = STATES[dose.state] || STATES.not_yet_due
  let when = ''
  if (dose.state === 'completed') when = `${chineseDate(dose.given_on)}已打`
  else if (dose.state === 'overdue') when = `应在${chineseDate(dose.latest)}前完成`
  else if (dose.earliest) when = `${chineseDate(dose.earliest)}起可以打`
  return {
    ...dose,
    key: `${dose.series}-${dose.dose}`,
    name: `${dose.series_name} 第${dose.dose}剂`,
    stateLabel: state.label,
    tone: state.tone,
    when,
    basis: `${dose.rule}（${dose.citation}）`,
    open: false,
  }
}

/** The child's page: overdue, due now, coming up and done, each group in the schedule's order. */
function overview(data) {
  const doses = data.assessment.doses.map(doseView)
  const group = (states) => doses.filter((d) => states.indexOf(d.state) >= 0)
  const later = group(['not_yet_due']).sort((a, b) => (a.earliest < b.earliest ? -1 : 1))
  return {
    child: data.child,
    overdue: group(['overdue']),
    due: group(['due', 'clinic_decides']),
    next: later.slice(0, 4),
    completed: group(['completed']),
    flagged: data.assessment.flagged,
    records: data.records.map((r) => ({ ...r, when: chineseDate(r.given_on) })),
    nonProgramme: data.non_programme,
    nonProgrammeNote: data.non_programme_note,
    source: data.source,
  }
}

/** Seconds left of 留观 by the server's clock (the phone's may be off). */
function secondsLeft(observeUntil) {
  return Math.max(0, Math.ceil((Date.parse(observeUntil) - clock.now()) / 1000))
}

function countdown(seconds) {
  const m = Math.floor(seconds / 60)
  const s = seconds % 60
  return `${m}:${String(s).padStart(2, '0')}`
}

function level(name) {
  return LEVELS[name] || LEVELS.watch
}

module.exports = {
  child, book, healthQuestions, screening, answerScreening, observation, afterCareQuestions,
  answerAfterCare, overview, doseView, secondsLeft, countdown, level, chineseDate, STATES, LEVELS,
  time: format.time,
}
