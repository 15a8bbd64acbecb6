/** 血压血糖: a reading entered, the answer at once (danger → the red 120 screen first), the
 * last month against the resident's targets; replies recorded from the demo backend. */
const { page, tap, text, exists, input, change, fixture } = require('../support/render')

const people = fixture('profiles').data
const father = people.find((p) => p.name === '张建国')
const self = people.find((p) => p.relationship === 'self')

async function open() {
  backend.reply('GET', '/mp/profiles', people)
  backend.reply('GET', '/mp/vitals', fixture('vitals_history').data)
  return page('followup/pages/vitals/index', { patient_id: father.id })
}

async function enterBloodPressure(vitals, systolic, diastolic) {
  await input(vitals, '#systolic', systolic)
  await input(vitals, '#diastolic', diastolic)
}

test('the last month with its level, and the resident\'s targets in words', async () => {
  const vitals = await open()
  expect(backend.calls('GET', '/mp/vitals')[0].query).toEqual({ patient_id: father.id, days: '30' })
  expect(text(vitals, '#who')).toContain('张建国')
  expect(text(vitals, '#band')).toBe('您的目标：血压低于 140/90 mmHg；空腹血糖低于 7；饭后血糖低于 10')
  const newest = fixture('vitals_history').data.readings.slice(-1)[0]
  expect(text(vitals, '#reading-0')).toContain(newest.kind === 'blood_pressure' ? '血压' : '血糖')
  expect(text(vitals, '#reading-0')).toMatch(/在目标内|偏高|危险/)
})

test('the trend of each measure with its target band, every reading placed by its level', async () => {
  const vitals = await open()
  const readings = fixture('vitals_history').data.readings
  const pressures = readings.filter((r) => r.kind === 'blood_pressure')
  expect(text(vitals, '#trend-systolic-range')).toBe('绿色区域是目标：低于 140 mmHg')
  expect(text(vitals, '#trend-fasting_glucose-range')).toBe('绿色区域是目标：3.9 到 7 mmol/L 之间')
  expect(exists(vitals, '#trend-systolic-band')).toBe(true)
  expect(exists(vitals, `#trend-systolic-point-${pressures.length - 1}`)).toBe(true)
  expect(exists(vitals, `#trend-systolic-point-${pressures.length}`)).toBe(false)
})

test('the questionnaire between visits opens for the same person', async () => {
  const vitals = await open()
  await tap(vitals, '#open-questionnaire')
  expect(host.log.navigations[0].url).toBe(
    `/followup/pages/questionnaire/index?patient_id=${father.id}&name=${encodeURIComponent('张建国')}`)
})

test('the health education offered to the same person is one tap away', async () => {
  const vitals = await open()
  await tap(vitals, '#open-education')
  expect(host.log.navigations[0].url).toBe(
    `/followup/pages/education/index?patient_id=${father.id}&name=${encodeURIComponent('张建国')}`)
})

test('how to be reminded is set from the same page', async () => {
  const vitals = await open()
  await tap(vitals, '#open-reminders')
  expect(host.log.navigations[0].url).toBe(
    `/followup/pages/reminders/index?patient_id=${father.id}&name=${encodeURIComponent('张建国')}`)
})

test('the chart is laid out from the readings: time across, value up, the band between its lines', () => {
  const vitalsService = require('../../followup/services/vitals')
  const reading = (id, at, systolic, level) => ({
    id, kind: 'blood_pressure', measured_at: at, level, readings: { systolic, diastolic: 80 } })
  const chart = vitalsService.trend([
    reading('a', '2026-12-01T00:00:00Z', 120, 'normal'),
    reading('b', '2026-12-03T00:00:00Z', 160, 'high'),
    reading('c', '2026-12-05T00:00:00Z', 140, 'high'),
  ], { systolic_below: 140 }, 'systolic')
  expect(chart.points.map((p) => p.left)).toEqual([0, 50, 100])
  expect(chart.points[1].top).toBeLessThan(chart.points[2].top) // higher value, nearer the top
  expect(chart.points[2].top).toBe(chart.band.top) // 140 sits on the target line
  expect(chart.band.top + chart.band.height).toBe(100) // no floor: the band runs to the bottom
  expect(chart.points.map((p) => p.tone)).toEqual(['ok', 'warn', 'warn'])
  expect(chart.from).toBe('12月1日')
  expect(vitalsService.trend([reading('a', '2026-12-01T00:00:00Z', 120, 'normal')], {}, 'systolic')).toBeNull()
})

test('a dangerous blood pressure shows the red screen with 120 at once', async () => {
  const vitals = await open()
  backend.reply('POST', '/mp/vitals', fixture('vitals_urgent').data, 201)
  await enterBloodPressure(vitals, '186', '112')
  await tap(vitals, '#symptom-severe_headache')
  await tap(vitals, '#save')
  const sent = backend.calls('POST', '/mp/vitals')[0].body
  expect(sent).toEqual({ patient_id: father.id, kind: 'blood_pressure', systolic: 186, diastolic: 112,
    symptoms: ['severe_headache'] })
  expect(text(vitals, '#urgent')).toContain('请马上就医')
  expect(text(vitals, '#urgent-advice')).toContain('请马上拨打120')
  expect(exists(vitals, '#save')).toBe(false) // nothing else competes with the call button
  await tap(vitals, '#call-120')
  expect(host.log.calls).toEqual(['120'])
  await tap(vitals, '#close-urgent')
  expect(exists(vitals, '#save')).toBe(true)
})

test('a high reading says what to do, and that the doctor will call', async () => {
  const vitals = await open()
  backend.reply('POST', '/mp/vitals', fixture('vitals_high').data, 201)
  await enterBloodPressure(vitals, '146', '88')
  await input(vitals, '#pulse', '76')
  await tap(vitals, '#save')
  expect(backend.calls('POST', '/mp/vitals')[0].body.pulse).toBe(76)
  expect(text(vitals, '#result-title')).toBe('数值偏高')
  expect(text(vitals, '#result-text')).toContain('按时吃药')
  expect(exists(vitals, '#doctor-told')).toBe(true)
  expect(exists(vitals, '#urgent')).toBe(false)
  const lesson = fixture('vitals_high').data.education[0]
  expect(text(vitals, '#education-0')).toContain(lesson.title)
  expect(text(vitals, '#education-0')).toContain(`依据：${lesson.source}`)
})

test('a glucose reading says when it was taken', async () => {
  const vitals = await open()
  backend.reply('POST', '/mp/vitals', fixture('vitals_normal').data, 201)
  await tap(vitals, '#kind-glucose')
  await change(vitals, '#timing', '0')
  await input(vitals, '#glucose', '6.2')
  await tap(vitals, '#save')
  expect(backend.calls('POST', '/mp/vitals')[0].body).toEqual({ patient_id: father.id, kind: 'glucose',
    glucose: 6.2, timing: 'fasting', symptoms: [] })
  expect(text(vitals, '#result-title')).toBe('数值在目标范围内')
})

test('empty boxes are caught on the phone; an impossible value gets the backend\'s words', async () => {
  const vitals = await open()
  await tap(vitals, '#save')
  expect(text(vitals, '#error-systolic')).toBe('请填写高压（整数）。')
  expect(backend.calls('POST', '/mp/vitals')).toHaveLength(0)
  const refused = fixture('vitals_error')
  backend.on('POST', '/mp/vitals', () => ({ status: 422, body: refused }))
  await enterBloodPressure(vitals, '400', '80')
  await tap(vitals, '#save')
  expect(text(vitals, '#error-systolic')).toBe(refused.error.message)
  expect(text(vitals, '#form-error')).toBe('请按提示修改后再保存。')
})

test('a very low SpO₂ shows the red screen with 120, without symptom boxes or voice', async () => {
  const vitals = await open()
  backend.reply('POST', '/mp/vitals', fixture('vitals_body_spo2_urgent').data, 201)
  await tap(vitals, '#symptom-severe_headache') // ticked on the blood pressure tab …
  await tap(vitals, '#kind-spo2')
  expect(exists(vitals, '#talk')).toBe(false)
  expect(exists(vitals, '#symptom-severe_headache')).toBe(false)
  await input(vitals, '#body-value', '88')
  await tap(vitals, '#save')
  expect(backend.calls('POST', '/mp/vitals')[0].body).toEqual({ patient_id: father.id, kind: 'spo2',
    spo2: 88, symptoms: [] }) // … is not sent with an SpO₂
  expect(text(vitals, '#urgent-advice')).toContain('120')
})

test('a temperature and a weight go with their own words; a wrong height is named', async () => {
  const vitals = await open()
  backend.reply('POST', '/mp/vitals', fixture('vitals_body_fever').data, 201)
  await tap(vitals, '#kind-temperature')
  await tap(vitals, '#save')
  expect(text(vitals, '#error-body-value')).toBe('请填写体温。')
  await input(vitals, '#body-value', '37.8')
  await tap(vitals, '#save')
  expect(backend.calls('POST', '/mp/vitals')[0].body.temperature).toBe(37.8)
  expect(text(vitals, '#result-title')).toBe(fixture('vitals_body_fever').data.advice.title)
  const refused = fixture('vitals_body_error')
  backend.on('POST', '/mp/vitals', () => ({ status: 422, body: refused }))
  await tap(vitals, '#kind-weight')
  await input(vitals, '#body-value', '70')
  await input(vitals, '#height', '60')
  await tap(vitals, '#save')
  expect(backend.calls('POST', '/mp/vitals')[1].body).toMatchObject({ kind: 'weight', weight: 70, height_cm: 60 })
  expect(text(vitals, '#error-height')).toBe(refused.error.message)
})

test('body readings read as what they are in the list', () => {
  const vitalsService = require('../../followup/services/vitals')
  const shown = vitalsService.view({ id: 'x', kind: 'spo2', level: 'high', measured_at: '2026-12-05T01:00:00Z',
    readings: { spo2: 92 } })
  expect([shown.value, shown.label]).toEqual(['血氧饱和度 92 %', '需注意'])
})

test('someone not in a programme is told to ask the family doctor', async () => {
  backend.reply('GET', '/mp/profiles', people)
  const refused = fixture('vitals_not_enrolled')
  backend.on('GET', '/mp/vitals', () => ({ status: 404, body: refused }))
  const vitals = await page('followup/pages/vitals/index', { patient_id: self.id })
  expect(text(vitals, '#not-enrolled')).toContain('联系您的家庭医生')
  expect(exists(vitals, '#save')).toBe(false)
})

describe.each(require('../support/alipay-host').HOSTS)('a reading said aloud on %s', (kind) => {
  beforeEach(() => require('../support/alipay-host').useHost(kind))

  test('the numbers heard fill the form and wait for the person to check and save', async () => {
    require('../../services/display').setElderly(true)
    const vitals = await open()
    const heard = fixture('speech_transcription').data.transcript // 血压一百四十五，八十八，心跳七十二
    backend.reply('POST', '/mp/speech/transcriptions', { transcript: heard })
    vitals.querySelector('#talk').dispatchEvent('touchstart')
    vitals.querySelector('#talk').dispatchEvent('touchend')
    await require('../support/render').settle()
    const [sent] = backend.calls('POST', '/mp/speech/transcriptions')
    expect([sent.body, sent.query]).toEqual([{ audio: 'temp://speech.mp3' }, { format: 'mp3' }])
    expect(text(vitals, '#heard')).toContain(`您说的是：${heard}`)
    expect(vitals.data.form).toMatchObject({ systolic: '145', diastolic: '88', pulse: '72' })
    expect(backend.calls('POST', '/mp/vitals')).toEqual([]) // nothing saved until 保存
  })

  test('words without a reading ask again instead of guessing', async () => {
    const vitals = await open()
    backend.reply('POST', '/mp/speech/transcriptions', { transcript: '我今天有点头晕' })
    vitals.querySelector('#talk').dispatchEvent('touchstart')
    vitals.querySelector('#talk').dispatchEvent('touchend')
    await require('../support/render').settle()
    expect(text(vitals, '#voice-error')).toContain('没有听出读数')
    expect(vitals.data.form.systolic).toBe('')
  })
})
