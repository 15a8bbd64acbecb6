/** 血压血糖自测: record one reading (assessed at once by the backend) and read them back. */
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
  if (reading.kind === 'blood_pressure') {
    value = `血压 ${r.systolic}/${r.diastolic} mmHg${r.heart_rate ? `，心率 ${r.heart_rate}` : ''}`
  } else {
    const glucose = r.fasting_glucose !== undefined ? r.fasting_glucose : r.random_glucose
    const timing = TIMINGS.find((t) => t.code === reading.glucose_timing)
    value = `血糖 ${glucose} mmol/L${timing ? `（${timing.label}）` : ''}`
  }
  return { id: reading.id, value, when: format.dateTime(reading.measured_at), label: shown.label, tone: shown.tone }
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

module.exports = { record, history, view, bandText, LEVELS, SYMPTOMS, TIMINGS }
