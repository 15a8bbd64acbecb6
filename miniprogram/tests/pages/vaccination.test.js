/** 宝宝疫苗: what is due and why, booking the 接种门诊, the health questions, 留观, after-care. */
const { page, tap, text, exists, input, fixture } = require('../support/render')
const { fail } = require('../support/backend')

const child = fixture('vaccination_child').data
const overdueChild = fixture('vaccination_child_overdue').data
const profiles = fixture('vaccination_profiles').data
const xiaoman = profiles.find((p) => p.name === '张小满')
const zihan = profiles.find((p) => p.name === '张子涵')

describe('the child page', () => {
  beforeEach(() => {
    backend.reply('GET', '/mp/profiles', profiles)
    backend.on('GET', '/mp/children/{child_id}/vaccination', (req) => ({
      status: 200, body: { data: req.params.child_id === zihan.id ? overdueChild : child },
    }))
  })

  test('due doses first with their dates; the rule behind each one tap away', async () => {
    const shown = await page('vaccination/pages/child/index', { id: xiaoman.id })
    expect(text(shown, '#who')).toContain('张小满')
    expect(exists(shown, '#overdue')).toBe(false)
    const first = child.assessment.doses.find((d) => d.state === 'due')
    const key = `${first.series}-${first.dose}`
    expect(text(shown, `#dose-${key}`)).toContain(`${first.series_name} 第${first.dose}剂`)
    expect(text(shown, `#dose-${key}`)).toContain('现在可以打')
    expect(exists(shown, `#basis-${key}`)).toBe(false)
    await tap(shown, `#dose-${key}`)
    expect(text(shown, `#basis-${key}`)).toContain(first.citation)
    expect(text(shown, '#next')).toContain('起可以打')
    expect(text(shown, '#non-programme')).toContain('自愿自费')
    await tap(shown, '#book')
    expect(host.log.navigations[0].url).toBe(`/vaccination/pages/book/index?child_id=${xiaoman.id}`)
  })

  test('a child who missed doses sees them on top, to catch up', async () => {
    const shown = await page('vaccination/pages/child/index', { id: zihan.id })
    const overdue = overdueChild.assessment.doses.filter((d) => d.state === 'overdue')
    expect(overdue.length).toBeGreaterThan(0)
    expect(text(shown, '#overdue')).toContain(`请尽快补种（${overdue.length}剂）`)
    expect(text(shown, '#overdue')).toContain('前完成')
    await tap(shown, '#toggle-done')
    expect(text(shown, '#records')).toContain('乙肝疫苗 第1剂')
  })

  test('no child yet: a way to add one', async () => {
    backend.reply('GET', '/mp/profiles', profiles.filter((p) => p.relationship !== 'child'))
    const shown = await page('vaccination/pages/child/index')
    expect(text(shown, '#no-child')).toContain('还没有添加孩子')
  })
})

describe('booking the 接种门诊', () => {
  beforeEach(() => {
    backend.reply('GET', '/mp/hospitals', fixture('hospitals').data)
    backend.reply('GET', '/mp/hospitals/{hospital_id}/departments', fixture('departments').data)
  })

  test('the community centre\'s sessions; one tap books a free place, then the questions', async () => {
    const centre = fixture('hospitals').data.find((h) => h.code === 'C001')
    const prev = { id: 'dept-prev', code: 'PREV', name: '预防保健科' }
    backend.reply('GET', '/mp/hospitals/{hospital_id}/departments', [prev])
    backend.reply('GET', '/mp/hospitals/{hospital_id}/schedules', fixture('vaccination_schedules').data)
    const made = fixture('vaccination_booking').data
    backend.reply('POST', '/mp/vaccination/bookings', made, 201)
    const shown = await page('vaccination/pages/book/index', { child_id: xiaoman.id })
    expect(backend.calls('GET', '/mp/hospitals/{hospital_id}/schedules')[0].params.hospital_id).toBe(centre.id)
    expect(text(shown, '#centre')).toContain(centre.name)
    const slot = fixture('vaccination_schedules').data[0].slots[0]
    await tap(shown, `#slot-${slot.id}`)
    const sent = backend.calls('POST', '/mp/vaccination/bookings')[0]
    expect(sent.body).toEqual({ child_id: xiaoman.id, slot_id: slot.id })
    expect(sent.headers['Idempotency-Key']).toBeTruthy()
    expect(text(shown, '#booked')).toContain('预约成功')
    expect(text(shown, '#booked')).toContain('不用付挂号费')
    await tap(shown, '#questionnaire')
    expect(host.log.navigations[0].url).toBe(`/vaccination/pages/questionnaire/index?booking_id=${made.id}`)
  })

  test('a second visit the same day is refused in words', async () => {
    backend.reply('GET', '/mp/hospitals/{hospital_id}/departments', [{ id: 'd', code: 'PREV', name: '预防保健科' }])
    backend.reply('GET', '/mp/hospitals/{hospital_id}/schedules', fixture('vaccination_schedules').data)
    const refused = fixture('vaccination_error_same_day')
    backend.on('POST', '/mp/vaccination/bookings', () => ({ status: 409, body: refused }))
    const shown = await page('vaccination/pages/book/index', { child_id: xiaoman.id })
    await tap(shown, `#slot-${fixture('vaccination_schedules').data[0].slots[0].id}`)
    expect(text(shown, '#booking-error')).toBe(refused.error.message)
    expect(exists(shown, '#booked')).toBe(false)
  })
})

describe('the health questions', () => {
  const questions = fixture('vaccination_health_questions').data

  beforeEach(() => {
    backend.reply('GET', '/mp/vaccination/health-questions', questions)
    backend.reply('PUT', '/mp/bookings/{booking_id}/vaccination-screening', fixture('vaccination_screening').data)
  })

  test('every question answered; a 有 may say more; the doctor will look first', async () => {
    const shown = await page('vaccination/pages/questionnaire/index', { booking_id: 'b1' })
    expect(text(shown, '.muted.secondary')).toContain('预防接种工作规范')
    await tap(shown, '#submit')
    expect(backend.calls('PUT', '/mp/bookings/{booking_id}/vaccination-screening')).toHaveLength(0)
    expect(host.log.toasts[0]).toBe('还有问题没有回答')
    for (const q of questions.questions) {
      await tap(shown, q.id === 'other_allergy' ? `#yes-${q.id}` : `#no-${q.id}`)
    }
    await input(shown, '#detail-other_allergy', '鸡蛋过敏')
    await tap(shown, '#submit')
    const sent = backend.calls('PUT', '/mp/bookings/{booking_id}/vaccination-screening')[0]
    expect(sent.params.booking_id).toBe('b1')
    expect(sent.body.answers.other_allergy).toEqual({ yes: true, detail: '鸡蛋过敏' })
    expect(sent.body.answers.fever_now).toEqual({ yes: false, detail: null })
    expect(text(shown, '#for-doctor')).toContain('有1项会请医生当天先看')
  })
})

describe('留观', () => {
  const running = fixture('vaccination_observation').data

  test('counts down by the server clock and asks again before leaving early', async () => {
    backend.reply('GET', '/mp/vaccination/records/{record_id}/observation', running)
    backend.serverDate = new Date(Date.parse(running.given_at) + 12 * 60 * 1000).toUTCString()
    const shown = await page('vaccination/pages/observation/index', { id: running.record_id })
    expect(text(shown, '#clock')).toMatch(/^1[78]:\d\d$/)
    expect(text(shown, '#message')).toContain('还需约')
    host.behaviour.modalConfirm = false // the parent taps 仍要离开
    await tap(shown, '#leave')
    expect(host.log.modals[0].title).toBe('还没到30分钟')
    expect(host.log.modals[0].content).toContain('来不及')
    expect(text(shown, '#left-early')).toContain('120')
  })

  test('when the 30 minutes are over it says so and lets the parent go', async () => {
    backend.reply('GET', '/mp/vaccination/records/{record_id}/observation', running)
    backend.serverDate = new Date(Date.parse(running.given_at) + 29 * 60 * 1000).toUTCString()
    const shown = await page('vaccination/pages/observation/index', { id: running.record_id })
    expect(shown.data.mayLeave).toBe(false)
    const realNow = Date.now
    Date.now = () => realNow() + 2 * 60 * 1000
    try {
      shown.instance.tick()
      await new Promise((resolve) => setTimeout(resolve, 0))
    } finally {
      Date.now = realNow
    }
    expect(text(shown, '#done')).toBe('可以离开了')
    expect(host.log.vibrations).toBe(1)
    await tap(shown, '#leave')
    expect(host.log.modals).toHaveLength(0)
  })

  test('a record seen after the end shows the recorded message', async () => {
    const done = fixture('vaccination_observation_done').data
    backend.reply('GET', '/mp/vaccination/records/{record_id}/observation', done)
    const shown = await page('vaccination/pages/observation/index', { id: done.record_id })
    expect(text(shown, '#message')).toBe(done.message)
  })
})

describe('after-care', () => {
  const questions = fixture('vaccination_after_care_questions').data

  async function answer(result, choices) {
    backend.reply('GET', '/mp/vaccination/after-care-questions', questions)
    backend.reply('POST', '/mp/vaccination/records/{record_id}/after-care', result, 201)
    const shown = await page('vaccination/pages/after-care/index', { id: 'r1' })
    for (const q of questions.questions) {
      await tap(shown, `#${q.id}-${choices[q.id] || q.choices[0].id}`)
    }
    await tap(shown, '#submit')
    return shown
  }

  test('a mild reaction: care at home, no alarm', async () => {
    const shown = await answer(fixture('vaccination_after_care_watch').data, { fever: 'low' })
    expect(backend.calls('POST', '/mp/vaccination/records/{record_id}/after-care')[0].body.answers.fever).toBe('low')
    expect(text(shown, '#result-title')).toBe('常见的轻微反应')
    expect(text(shown, '#advice')).toContain('多喝水')
    expect(exists(shown, '#call-120')).toBe(false)
  })

  test('a convulsion: call 120 now, the button at hand', async () => {
    const shown = await answer(fixture('vaccination_after_care_aefi').data, { fever: 'high', convulsion: 'seen' })
    expect(text(shown, '#result-title')).toBe('请马上拨打120')
    expect(text(shown, '#advice')).toContain('已经通知接种门诊')
    await tap(shown, '#call-120')
    expect(host.log.calls[0]).toBe('120')
  })

  test('a refusal is shown in words', async () => {
    backend.reply('GET', '/mp/vaccination/after-care-questions', questions)
    backend.on('POST', '/mp/vaccination/records/{record_id}/after-care', () => fail(409, 'after_care_done', '这次接种的随访已经填写过了。'))
    const shown = await page('vaccination/pages/after-care/index', { id: 'r1' })
    for (const q of questions.questions) await tap(shown, `#${q.id}-${q.choices[0].id}`)
    await tap(shown, '#submit')
    expect(host.log.toasts).toContain('这次接种的随访已经填写过了。')
  })
})
