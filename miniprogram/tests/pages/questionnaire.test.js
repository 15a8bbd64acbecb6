/** 随访问卷: the form's own questions for the resident's programmes, answered between visits;
 * a dangerous answer shows the red 120 screen, a calm one says the doctor looks at it first;
 * replies recorded from the demo backend. */
const { page, tap, text, exists, input, fixture } = require('../support/render')

const people = fixture('profiles').data
const father = people.find((p) => p.name === '张建国')

async function open() {
  backend.reply('GET', '/mp/followup/questionnaire', fixture('followup_questionnaire').data)
  return page('followup/pages/questionnaire/index', { patient_id: father.id, name: encodeURIComponent('张建国') })
}

async function answerCalmly(form) {
  await input(form, '#reading-systolic', '132')
  await input(form, '#reading-diastolic', '82')
  await input(form, '#reading-fasting_glucose', '6.4')
  await tap(form, '#q-adherence-regular')
  await tap(form, '#q-hypoglycaemia-none')
  await input(form, '#q-exercise_times_per_week-input', '5')
}

test('the questions of both programmes, the readings in the order a resident says them', async () => {
  const form = await open()
  expect(backend.calls('GET', '/mp/followup/questionnaire')[0].query).toEqual({ patient_id: father.id })
  expect(text(form, '#who')).toContain('张建国')
  expect(text(form, '#q-adherence')).toContain('最近是不是每天按时吃药')
  expect(text(form, '#q-symptoms')).toContain('剧烈头痛')
  expect(exists(form, '#q-hypoglycaemia')).toBe(true) // he is in the diabetes programme too
  expect(text(form, '.field')).toContain('高压（mmHg）') // the first box is the one people know
  expect(exists(form, '#reading-fasting_glucose')).toBe(true)
})

test('a calm answer goes to the family doctor, one choice per question', async () => {
  const form = await open()
  backend.reply('POST', '/mp/followup/questionnaire', fixture('followup_answer').data, 201)
  await answerCalmly(form)
  await tap(form, '#q-adherence-intermittent')
  await tap(form, '#q-adherence-regular') // changing one's mind leaves one answer
  await tap(form, '#submit')
  expect(backend.calls('POST', '/mp/followup/questionnaire')[0].body).toEqual({
    patient_id: father.id,
    answers: { symptoms: [], adherence: 'regular', hypoglycaemia: 'none', exercise_times_per_week: 5 },
    readings: { systolic: 132, diastolic: 82, fasting_glucose: 6.4 },
  })
  expect(text(form, '#done-title')).toBe('问卷已交给家庭医生')
  expect(text(form, '#done-text')).toContain('家庭医生看过以后')
  expect(exists(form, '#submit')).toBe(false)
})

test('a dangerous answer shows the red screen with 120 first', async () => {
  const form = await open()
  backend.reply('POST', '/mp/followup/questionnaire', fixture('followup_answer_urgent').data, 201)
  await answerCalmly(form)
  await tap(form, '#q-symptoms-severe_headache')
  await tap(form, '#submit')
  expect(backend.calls('POST', '/mp/followup/questionnaire')[0].body.answers.symptoms).toEqual(['severe_headache'])
  expect(text(form, '#urgent-advice')).toContain('请马上拨打120')
  await tap(form, '#call-120')
  expect(host.log.calls).toEqual(['120'])
})

test('a question left out gets the backend\'s words next to it', async () => {
  const form = await open()
  const refused = fixture('followup_answer_error')
  backend.on('POST', '/mp/followup/questionnaire', () => ({ status: 422, body: refused }))
  await tap(form, '#submit')
  expect(text(form, '#q-adherence-error')).toBe(refused.error.message)
  expect(exists(form, '#submit')).toBe(true)
})
