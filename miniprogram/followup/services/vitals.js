/** 家庭自测: record one reading (blood pressure, glucose, weight, temperature or SpO₂; assessed
 * at once by the backend) and read them back. */
const { call } = require('../../services/api')
const format = require('../../utils/format')

/** How a level reads and looks (never by colour alone: each has its words). */
const LEVELS = {
  normal: { label: '在目标内', tone: 'ok' },
  high: { label: '偏高', tone: 'warn' },
  urgent: { label: '危险', tone: 'danger' },
}

/** The symptoms a resident can tick with a reading (codes of the follow-up rules). */
const SYMPTOMS = [
  { code: 'severe_headache', label: '头痛得厉害' },
  { code: 'severe_dizziness', label: '头晕得厉害' },
  { code: 'chest_tightness', label: '胸闷' },
  { code: 'palpitations', label: '心慌' },
  { code: 'sweating', label: '出冷汗' },
  { code: 'nausea', label: '恶心想吐' },
  { code: 'blurred_vision', label: '看东西模糊' },
]

/** Weight, temperature and SpO₂: one number each (the backend holds their lines and sources). */
const BODY_KINDS = {
  weight: { label: '体重', unit: '公斤', word: '体重', placeholder: '例如 65.5' },
  temperature: { label: '体温', unit: '℃', word: '体温', placeholder: '例如 36.8' },
  spo2: { label: '血氧', unit: '%', word: '血氧饱和度', placeholder: '例如 97' },
}

const TIMINGS = [
  { code: 'fasting', label: '空腹' },
  { code: 'after_meal', label: '饭后2小时' },
  { code: 'random', label: '随机' },
]

function record(body) {
  return call('vitals.record', { body })
}

function history(patientId, days = 30) {
  return call('vitals.history', { query: { patient_id: patientId, days } })
}

/** A stored reading as the list shows it: the values in words, its level, when. */
function view(reading) {
  const shown = LEVELS[reading.level] || LEVELS.normal
  const r = reading.readings
  let value
  let label = shown.label
  if (BODY_KINDS[reading.kind]) {
    const kind = BODY_KINDS[reading.kind]
    value = `${kind.word} ${r[reading.kind]} ${kind.unit}`
    if (reading.level === 'high') label = '需注意' // a low SpO₂ or temperature is not "偏高"
  } else if (reading.kind === 'blood_pressure') {
    value = `血压 ${r.systolic}/${r.diastolic} mmHg${r.heart_rate ? `，心率 ${r.heart_rate}` : ''}`
  } else {
    const glucose = r.fasting_glucose !== undefined ? r.fasting_glucose : r.random_glucose
    const timing = TIMINGS.find((t) => t.code === reading.glucose_timing)
    value = `血糖 ${glucose} mmol/L${timing ? `（${timing.label}）` : ''}`
  }
  return { id: reading.id, value, when: format.dateTime(reading.measured_at), label, tone: shown.tone }
}

/** The target band in words, for the resident's own chart of readings. */
function bandText(targets) {
  const parts = []
  if (targets.systolic_below && targets.diastolic_below) {
    parts.push(`血压低于 ${targets.systolic_below}/${targets.diastolic_below} mmHg`)
  }
  if (targets.fasting_glucose_below) parts.push(`空腹血糖低于 ${targets.fasting_glucose_below}`)
  if (targets.after_meal_glucose_below) parts.push(`饭后血糖低于 ${targets.after_meal_glucose_below}`)
  return parts.length ? `您的目标：${parts.join('；')}` : ''
}

/** The measures a trend chart can show: where the value is, and the target lines that bound it. */
const MEASURES = {
  systolic: { label: '高压', unit: 'mmHg', below: 'systolic_below', pick: (r) => r.readings.systolic },
  fasting_glucose: {
    label: '空腹血糖', unit: 'mmol/L', below: 'fasting_glucose_below', above: 'glucose_above',
    pick: (r) => r.readings.fasting_glucose,
  },
}

const round1 = (n) => Math.round(n * 10) / 10

/**
 * One measure's trend over time, laid out in percent of the chart so plain views draw it on
 * both hosts (no canvas): each point's place and level, and the target band (between the
 * danger floor, if any, and the target line). Fewer than two readings make no trend: null.
 */
function trend(readings, targets, measure) {
  const spec = MEASURES[measure]
  const points = readings.map((r) => ({ r, v: spec.pick(r) })).filter((p) => typeof p.v === 'number')
  if (points.length < 2) return null
  const high = targets[spec.below]
  const low = spec.above ? targets[spec.above] : undefined
  const values = points.map((p) => p.v).concat([high, low].filter((x) => typeof x === 'number'))
  const pad = (Math.max(...values) - Math.min(...values)) * 0.1 || 1
  const top = Math.max(...values) + pad
  const bottom = Math.min(...values) - pad
  const y = (v) => round1(((top - v) / (top - bottom)) * 100)
  const times = points.map((p) => Date.parse(p.r.measured_at))
  const first = Math.min(...times)
  const span = Math.max(...times) - first
  const x = (t) => (span ? round1(((t - first) / span) * 100) : 50)
  const band = typeof high === 'number'
    ? { top: y(high), height: round1(y(typeof low === 'number' ? low : bottom) - y(high)) } : null
  const range = typeof high === 'number'
    ? `绿色区域是目标：${typeof low === 'number' ? `${low} 到 ${high} ${spec.unit} 之间` : `低于 ${high} ${spec.unit}`}`
    : ''
  return {
    measure, label: spec.label, unit: spec.unit, band, range,
    from: format.monthDay(points[0].r.measured_at), to: format.monthDay(points[points.length - 1].r.measured_at),
    points: points.map((p, i) => ({
      id: p.r.id, left: x(times[i]), top: y(p.v), tone: (LEVELS[p.r.level] || LEVELS.normal).tone,
      label: `${format.monthDay(p.r.measured_at)} ${spec.label} ${p.v}`,
    })),
  }
}

module.exports = { record, history, view, bandText, trend, LEVELS, SYMPTOMS, TIMINGS, BODY_KINDS }
