/**
 * Booking, end to end on the pages: department → date and slot (live remaining) → who →
 * hold (Idempotency-Key) → pay (wx.requestPayment with the backend's parameters) →
 * reminders asked in the payment callback → the backend's confirmation → result.
 */
const { HOSTS, useHost } = require('../support/alipay-host')
const { page, tap, text, exists, change, input, settle, fixture } = require('../support/render')
const { ok, fail } = require('../support/backend')
const data = require('../support/bookings')
const handoff = require('../../utils/handoff')

const { hospital, schedule, slot, patient } = data.ids()
const departments = fixture('departments').data
const neurology = departments.find((d) => d.code === 'NEUR')
const profiles = fixture('profiles').data

function setUp() {
  backend.reply('GET', '/mp/hospitals', fixture('hospitals').data)
  backend.reply('GET', '/mp/hospitals/{hospital_id}/departments', departments)
  backend.reply('GET', '/mp/hospitals/{hospital_id}/schedules', fixture('schedules').data)
  backend.reply('GET', '/mp/me', fixture('me').data)
  backend.reply('GET', '/mp/profiles', profiles)
  backend.reply('GET', '/mp/subscriptions', data.subscriptionSettings)
  backend.reply('PUT', '/mp/subscriptions', { ok: true })
  require('../../services/hospitals').choose(hospital)
}

// The same pages, fixtures and assertions on both hosts: only the platform wrapper differs.
describe.each(HOSTS)('on %s', (kind) => {
  beforeEach(() => {
    useHost(kind)
    setUp()
  })

  describe('choosing a department and a slot', () => {
    test('departments are grouped, searchable, and open their schedules', async () => {
      const list = await page('booking/pages/departments/index')
      expect(text(list, '#hospital-name')).toBe(hospital.name)
      expect(list.querySelectorAll('.list-item')).toHaveLength(departments.length)
      expect(list.dom.textContent).toContain(departments[0].category)
      await input(list, '#keyword', '神经')
      expect(list.querySelectorAll('.list-item').map((i) => i.dom.textContent.trim())).toEqual(
        departments.filter((d) => d.name.includes('神经')).map((d) => expect.stringContaining(d.name)))
      await tap(list, '#dept-NEUR')
      expect(host.log.navigations[0].url).toBe(
        `/booking/pages/schedules/index?hospital_id=${hospital.id}&department_id=${neurology.id}&department_name=${encodeURIComponent(neurology.name)}`)
    })

    test('a department missing from the list says so', async () => {
      const list = await page('booking/pages/departments/index')
      await input(list, '#keyword', '不存在的科')
      expect(text(list, '#empty')).toContain('没有找到这个科室')
    })

    test('schedules show each slot with places left; a full slot cannot be chosen', async () => {
      const full = { ...fixture('schedules').data[0], slots: fixture('schedules').data[0].slots.map((s, i) => (i === 1 ? { ...s, remaining: 0 } : s)) }
      backend.reply('GET', '/mp/hospitals/{hospital_id}/schedules', [full])
      const schedules = await page('booking/pages/schedules/index', { hospital_id: hospital.id, department_id: neurology.id, department_name: encodeURIComponent('神经内科') })
      const [request] = backend.calls('GET', '/mp/hospitals/{hospital_id}/schedules')
      expect(request.query.department_id).toBe(neurology.id)
      expect(Object.keys(request.query).sort()).toEqual(['date_from', 'date_to', 'department_id'])
      expect(text(schedules, `#slot-${slot.id}`)).toBe('08:00-08:30剩5个')
      expect(text(schedules, `#slot-${full.slots[1].id}`)).toContain('已约满')
      await tap(schedules, `#slot-${full.slots[1].id}`)
      expect(host.log.navigations).toHaveLength(0)
      await tap(schedules, `#slot-${slot.id}`)
      expect(host.log.navigations[0].url).toBe(`/booking/pages/confirm/index?schedule_id=${schedule.id}&slot_id=${slot.id}`)
      expect(handoff.peek('slot').slot.id).toBe(slot.id)
    })

    test('from triage: the department code is found in this hospital\'s own list', async () => {
      const schedules = await page('booking/pages/schedules/index', { hospital_id: hospital.id, department_code: 'NEUR', department_name: encodeURIComponent('神经内科') })
      expect(backend.calls('GET', '/mp/hospitals/{hospital_id}/schedules')[0].query.department_id).toBe(neurology.id)
      expect(exists(schedules, `#slot-${slot.id}`)).toBe(true)
    })

    test('from triage to a hospital without that department: a clear way on', async () => {
      const schedules = await page('booking/pages/schedules/index', { hospital_id: hospital.id, department_code: 'NOPE', department_name: encodeURIComponent('某科') })
      expect(text(schedules, '#missing-department')).toContain('这家医院没有某科')
      await tap(schedules, '#choose-department')
      expect(host.log.navigations[0]).toEqual({ type: 'redirectTo', url: '/booking/pages/departments/index' })
    })

    test('no released slots: says when new ones come', async () => {
      backend.reply('GET', '/mp/hospitals/{hospital_id}/schedules', [])
      const schedules = await page('booking/pages/schedules/index', { hospital_id: hospital.id, department_id: neurology.id })
      expect(text(schedules, '#no-schedules')).toContain('新的号源每天下午放出')
    })

    test('remaining counts refresh in place', async () => {
      const schedules = await page('booking/pages/schedules/index', { hospital_id: hospital.id, department_id: neurology.id })
      const fewer = { ...fixture('schedules').data[0], slots: fixture('schedules').data[0].slots.map((s) => ({ ...s, remaining: 1 })) }
      backend.reply('GET', '/mp/hospitals/{hospital_id}/schedules', [fewer])
      await schedules.instance.refresh()
      expect(text(schedules, `#slot-${slot.id}`)).toBe('08:00-08:30剩1个')
    })
  })

  async function confirmPage() {
    const schedules = await page('booking/pages/schedules/index', { hospital_id: hospital.id, department_id: neurology.id })
    await tap(schedules, `#slot-${slot.id}`)
    return page('booking/pages/confirm/index', { schedule_id: schedule.id, slot_id: slot.id })
  }

  describe('holding the slot and paying', () => {
    test('payment succeeds: reminders asked in the callback, then the confirmed result', async () => {
      const held = data.booking()
      let reads = 0
      backend.reply('POST', '/mp/bookings', held, 201)
      backend.reply('POST', '/mp/bookings/{booking_id}/payments', data.payment(kind), 201)
      backend.on('GET', '/mp/bookings/{booking_id}', () => {
        reads += 1
        return ok(reads < 2 ? held : data.confirmed()) // the gateway's notice arrives a moment later
      })
      const confirm = await confirmPage()
      expect(confirm.data.patientId).toBe(patient.id) // 本人 first
      await tap(confirm.querySelector('#picker'), `#person-${profiles[1].id}`)
      expect(confirm.data.patientId).toBe(profiles[1].id)
      await tap(confirm, '#submit')
      const [create] = backend.calls('POST', '/mp/bookings')
      expect(create.body).toEqual({ patient_id: profiles[1].id, slot_id: slot.id })
      expect(create.headers['Idempotency-Key']).toMatch(/^book-/)
      expect(exists(confirm, '#countdown')).toBe(true)
      expect(text(confirm, '#pay')).toBe('支付 ¥10.00')

      await tap(confirm, '#pay')
      const [pay] = backend.calls('POST', '/mp/bookings/{booking_id}/payments')
      expect(pay.params.booking_id).toBe(held.id)
      expect(pay.body).toEqual({ channel: kind })
      expect(pay.headers['Idempotency-Key']).toMatch(/^pay-/)
      expect(host.log.payments).toEqual([data.payment(kind).params]) // Alipay: my.tradePay({tradeNO})
      expect(require('../../platform/index').name).toBe(kind)
      expect(backend.calls('POST', `/mp/auth/${kind}`)).toHaveLength(1)
      expect(host.log.subscribeRequests).toEqual([['tmpl-booked', 'tmpl-reminder', 'tmpl-cancelled']])
      expect(backend.calls('PUT', '/mp/subscriptions')[0].body.results).toEqual({ 'tmpl-booked': 'accept', 'tmpl-reminder': 'accept', 'tmpl-cancelled': 'accept' })
      expect(host.log.navigations.slice(-1)[0]).toEqual({ type: 'redirectTo', url: `/booking/pages/result/index?booking_id=${held.id}` })
    })

    test('choosing another person after a failed try makes a new booking key', async () => {
      backend.on('POST', '/mp/bookings', () => fail(409, 'active_booking_exists', '这位就诊人当天已经预约了这个科室。'))
      const confirm = await confirmPage()
      await tap(confirm, '#submit')
      await tap(confirm, '#submit')
      await tap(confirm.querySelector('#picker'), `#person-${profiles[1].id}`)
      await tap(confirm, '#submit')
      const keys = backend.calls('POST', '/mp/bookings').map((r) => r.headers['Idempotency-Key'])
      expect(keys[0]).toBe(keys[1])
      expect(keys[2]).not.toBe(keys[0])
      expect(text(confirm, '#submit-error')).toBe('这位就诊人当天已经预约了这个科室。')
    })

    test('a double tap on submit books once', async () => {
      backend.reply('POST', '/mp/bookings', data.booking(), 201)
      const confirm = await confirmPage()
      confirm.querySelector('#submit').dispatchEvent('tap')
      confirm.querySelector('#submit').dispatchEvent('tap')
      await settle()
      expect(backend.calls('POST', '/mp/bookings')).toHaveLength(1)
    })

    test('a booking retried after a network drop reuses its key', async () => {
      backend.reply('POST', '/mp/bookings', data.booking(), 201)
      const confirm = await confirmPage()
      backend.offline = 3 // all three attempts of this tap are lost
      await tap(confirm, '#submit')
      expect(text(confirm, '#submit-error')).toContain('网络好像断了')
      await tap(confirm, '#submit') // the person taps again
      const keys = backend.requests.filter((r) => r.method === 'POST' && /\/mp\/bookings$/.test(r.path || r.url)).map((r) => r.headers['Idempotency-Key'])
      expect(keys).toHaveLength(4)
      expect(new Set(keys).size).toBe(1)
    })

    test('the person cancels the cashier: the hold stays and paying again reuses the order', async () => {
      const held = data.booking()
      backend.reply('POST', '/mp/bookings', held, 201)
      backend.reply('POST', '/mp/bookings/{booking_id}/payments', data.payment(kind), 201)
      const confirm = await confirmPage()
      await tap(confirm, '#submit')
      host.behaviour.payment = 'cancel'
      await tap(confirm, '#pay')
      expect(text(confirm, '#pay-note')).toContain('您取消了支付')
      expect(host.log.subscribeRequests).toEqual([])
      expect(host.log.navigations.filter((n) => n.type === 'redirectTo')).toHaveLength(0)
      host.behaviour.payment = 'success'
      backend.reply('GET', '/mp/bookings/{booking_id}', data.confirmed())
      await tap(confirm, '#pay')
      const keys = backend.calls('POST', '/mp/bookings/{booking_id}/payments').map((r) => r.headers['Idempotency-Key'])
      expect(keys[0]).toBe(keys[1])
      expect(host.log.navigations.slice(-1)[0].url).toBe(`/booking/pages/result/index?booking_id=${held.id}`)
    })

    test('the cashier fails: a plain message and no redirect', async () => {
      const held = data.booking()
      backend.reply('POST', '/mp/bookings', held, 201)
      backend.reply('POST', '/mp/bookings/{booking_id}/payments', data.payment(kind), 201)
      const confirm = await confirmPage()
      await tap(confirm, '#submit')
      host.behaviour.payment = 'fail'
      await tap(confirm, '#pay')
      expect(text(confirm, '#pay-error')).toContain('支付没有完成')
      expect(host.log.navigations.filter((n) => n.type === 'redirectTo')).toHaveLength(0)
    })

    test('the backend refuses the booking: its reason is shown', async () => {
      backend.on('POST', '/mp/bookings', () => fail(409, 'department_refused', '这个科室只看14岁及以下的患者，请选择其他科室。'))
      const confirm = await confirmPage()
      await tap(confirm, '#submit')
      expect(text(confirm, '#submit-error')).toBe('这个科室只看14岁及以下的患者，请选择其他科室。')
    })

    test('the backend refuses the payment (hold expired): its reason is shown', async () => {
      backend.reply('POST', '/mp/bookings', data.booking(), 201)
      backend.on('POST', '/mp/bookings/{booking_id}/payments', () => fail(409, 'hold_expired', '号源保留时间已过，请重新预约。'))
      const confirm = await confirmPage()
      await tap(confirm, '#submit')
      await tap(confirm, '#pay')
      expect(text(confirm, '#pay-error')).toBe('号源保留时间已过，请重新预约。')
      expect(host.log.payments).toHaveLength(0)
    })

    test('when the hold runs out, payment is no longer offered', async () => {
      backend.reply('POST', '/mp/bookings', data.booking({ hold_expires_at: new Date(Date.now() + 60 * 1000).toISOString() }), 201)
      const confirm = await confirmPage()
      await tap(confirm, '#submit')
      expect(exists(confirm, '#pay')).toBe(true)
      const realNow = Date.now
      Date.now = () => realNow() + 61 * 1000
      try {
        confirm.querySelector('#countdown').instance.tick()
      } finally {
        Date.now = realNow
      }
      await settle()
      expect(exists(confirm, '#expired')).toBe(true)
      expect(exists(confirm, '#pay')).toBe(false)
    })

    test('a free session is confirmed at once; reminders are asked by the confirming tap', async () => {
      const free = { ...fixture('schedules').data[0], fee_fen: 0 }
      backend.reply('GET', '/mp/hospitals/{hospital_id}/schedules', [free])
      backend.reply('POST', '/mp/bookings', data.confirmed({ fee_fen: 0, payment: null }), 201)
      const confirm = await confirmPage()
      expect(text(confirm, '#submit')).toBe('确认预约')
      await tap(confirm, '#submit')
      expect(host.log.subscribeRequests).toHaveLength(1)
      expect(host.log.payments).toHaveLength(0)
      expect(host.log.navigations.slice(-1)[0].type).toBe('redirectTo')
    })

    test('a page restored without its slot asks to choose again', async () => {
      const confirm = await page('booking/pages/confirm/index', { schedule_id: schedule.id, slot_id: slot.id })
      expect(exists(confirm, '#missing')).toBe(true)
    })
  })

  describe('the result page', () => {
    test('confirmed: the summary, reminders on request, pre-consultation and my bookings', async () => {
      backend.reply('GET', '/mp/bookings/{booking_id}', data.confirmed())
      const result = await page('booking/pages/result/index', { booking_id: data.booking().id })
      expect(exists(result, '#success')).toBe(true)
      expect(result.dom.textContent).toContain(patient.name)
      await tap(result, '#subscribe')
      expect(host.log.subscribeRequests).toEqual([['tmpl-booked', 'tmpl-reminder', 'tmpl-cancelled']])
      expect(exists(result, '#subscribe')).toBe(false)
      await tap(result, '#pre-consult')
      expect(host.log.navigations[0].url).toBe(`/assistant/pages/chat/index?mode=pre_consultation&patient_id=${patient.id}&hospital_id=${hospital.id}`)
    })

    test('reminders already accepted: no button', async () => {
      backend.reply('GET', '/mp/bookings/{booking_id}', data.confirmed())
      backend.reply('GET', '/mp/subscriptions', { ...data.subscriptionSettings, accepted: ['booked', 'reminder', 'cancelled'] })
      const result = await page('booking/pages/result/index', { booking_id: data.booking().id })
      expect(exists(result, '#subscribe')).toBe(false)
    })

    test('still waiting for the gateway: says so, and checks again on request', async () => {
      backend.reply('GET', '/mp/bookings/{booking_id}', data.booking())
      const result = await page('booking/pages/result/index', { booking_id: data.booking().id })
      expect(text(result, '#pending')).toContain('请不要重复支付')
      backend.reply('GET', '/mp/bookings/{booking_id}', data.confirmed())
      await tap(result, '#check-again')
      expect(exists(result, '#success')).toBe(true)
    })

    test('expired or stopped: not booked, and the money goes back', async () => {
      backend.reply('GET', '/mp/bookings/{booking_id}', data.booking({ status: 'expired', status_label: '已过期' }))
      const result = await page('booking/pages/result/index', { booking_id: data.booking().id })
      expect(text(result, '#failed')).toContain('已过期')
      await tap(result, '#book-again')
      expect(host.log.navigations[0]).toEqual({ type: 'redirectTo', url: '/booking/pages/departments/index' })
    })
  })

  describe('after the cashier said paid', () => {
    test('a lost connection while waiting for confirmation is "still confirming", never a failure', async () => {
      const held = data.booking()
      backend.reply('POST', '/mp/bookings', held, 201)
      backend.reply('POST', '/mp/bookings/{booking_id}/payments', data.payment(kind), 201)
      backend.on('GET', '/mp/bookings/{booking_id}', () => fail(503, 'service_unavailable', '服务暂时不可用，请稍后再试。'))
      const confirm = await confirmPage()
      await tap(confirm, '#submit')
      await tap(confirm, '#pay')
      expect(exists(confirm, '#pay-error')).toBe(false)
      expect(host.log.navigations.slice(-1)[0]).toEqual({ type: 'redirectTo', url: `/booking/pages/result/index?booking_id=${held.id}` })
    })

    test('a triage link without a hospital uses the default one', async () => {
      host.storage.clear()
      const schedules = await page('booking/pages/schedules/index', { department_code: 'NEUR' })
      expect(backend.calls('GET', '/mp/hospitals/{hospital_id}/departments')[0].params.hospital_id).toBe(fixture('hospitals').data[0].id)
      expect(schedules.data.missingDepartment || exists(schedules, `#slot-${slot.id}`)).toBe(true)
    })
  })
})
