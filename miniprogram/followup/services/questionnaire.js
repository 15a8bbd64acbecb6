/** 随访问卷: the questions for a resident's programmes, and answering them between visits. */
const { call } = require('../../services/api')

function form(patientId) {
  return call('followup.questionnaire', { query: { patient_id: patientId } })
}

function answer(body) {
  return call('followup.answer', { body })
}

/** The readings the rules need, as the resident names them. */
const READINGS = {
  systolic: { label: '高压', unit: 'mmHg' },
  diastolic: { label: '低压', unit: 'mmHg' },
  fasting_glucose: { label: '空腹血糖', unit: 'mmol/L' },
}

/** The page's state of one question: its options to tap, or its box to fill. */
function view(question) {
  return { ...question, value: '', error: '', options: question.options.map((o) => ({ ...o, checked: false })) }
}

/** The answers as the backend takes them; an empty box is not an answer. */
function answers(questions) {
  const found = {}
  for (const q of questions) {
    if (q.kind === 'symptoms') {
      found[q.id] = q.options.filter((o) => o.checked).map((o) => o.code)
    } else if (q.kind === 'choice') {
      const chosen = q.options.find((o) => o.checked)
      if (chosen) found[q.id] = chosen.code
    } else if (String(q.value).trim() !== '') {
      found[q.id] = q.kind === 'number' ? Number(q.value) : String(q.value).trim()
    }
  }
  return found
}

module.exports = { form, answer, view, answers, READINGS }
