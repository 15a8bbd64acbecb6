/** 我的预约 and one booking's page: pay, check in, queue, cancel with refund. */
const { page, tap, text, exists, settle, fixture } = require('../support/render')
const { ok } = require('../support/backend')
const data = require('../support/bookings')

const held = data.booking()
const confirmed = data.confirmed()

beforeEach(() => {
  backend.reply('GET', '/mp/subscriptions', data.subscriptionSettings)
  backend.reply('PUT', '/mp/subscriptions', { ok: true })
})

describe('my bookings', () => {
  test('coming visits first, history after; a tap opens the booking', async () => {
    const old = data.cancelled({ id: 'b-old' })
    backend.reply('GET', '/mp/bookings', [old, confirmed])
    const list = await page('booking/pages/list/index')
    expect(list.data.upcoming.map((b) => b.id)).toEqual([confirmed.id])
    expect(list.data.past.map((b) => b.id)).toEqual(['b-old'])
    expect(text(list, `#booking-${confirmed.id}`)).toContain('预约成功')
    expect(backend.calls('GET', '/mp/bookings')[0].query).toEqual({})
    await tap(list, `#booking-${confirmed.id}`)
    expect(host.log.navigations[0].url).toBe(`/booking/pages/detail/index?booking_id=${confirmed.id}`)
  })

  test('none yet: the way to book', async () => {
    backend.reply('GET', '/mp/bookings', [])
    const list = await page('booking/pages/list/index')
    await tap(list, '#book')
    expect(host.log.navigations[0].url).toBe('/booking/pages/departments/index')
  })
})

describe('a booking', () => {
  test('confirmed: check in, then the queue position appears and refreshes', async () => {
    const checkedIn = data.checkedIn()
    backend.reply('GET', '/mp/bookings/{booking_id}', confirmed)
    backend.reply('POST', '/mp/bookings/{booking_id}/check-in', checkedIn)
    backend.reply('GET', '/mp/bookings/{booking_id}/queue', { ...fixture('queue').data, number: 7, ahead: 1, estimated_wait_minutes: 8 })
    const detail = await page('booking/pages/detail/index', { booking_id: confirmed.id })
    expect(exists(detail, '#queue')).toBe(false)
    await tap(detail, '#check-in')
    expect(backend.calls('POST', '/mp/bookings/{booking_id}/check-in')[0].body).toEqual({})
    expect(host.log.toasts).toContain('签到成功')
    expect(text(detail.querySelector('#queue'), '#queue-number')).toBe('7号')
    expect(detail.querySelector('#queue').dom.textContent.replace(/\s/g, '')).toContain('前面还有1人')
    expect(exists(detail, '#ask-cancel')).toBe(false) // checked in: no cancelling online
  })

  test('checking in too early: the backend\'s reason', async () => {
    backend.reply('GET', '/mp/bookings/{booking_id}', confirmed)
    backend.on('POST', '/mp/bookings/{booking_id}/check-in', () => ({ status: 409, body: fixture('error_check_in_early') }))
    const detail = await page('booking/pages/detail/index', { booking_id: confirmed.id })
    await tap(detail, '#check-in')
    expect(text(detail, '#action-error')).toBe(fixture('error_check_in_early').error.message)
  })

  test('cancelling a paid booking asks once more, asks for the refund notice, and shows the refund', async () => {
    const cancelled = data.cancelled()
    backend.reply('GET', '/mp/bookings/{booking_id}', confirmed)
    backend.reply('POST', '/mp/bookings/{booking_id}/cancel', cancelled)
    const detail = await page('booking/pages/detail/index', { booking_id: confirmed.id })
    await tap(detail, '#ask-cancel')
    expect(text(detail, '#cancel-confirm')).toContain('挂号费会原路退回')
    await tap(detail, '#keep')
    expect(backend.calls('POST', '/mp/bookings/{booking_id}/cancel')).toHaveLength(0)
    await tap(detail, '#ask-cancel')
    await tap(detail, '#cancel')
    expect(host.log.subscribeRequests).toEqual([['tmpl-refunded']])
    expect(backend.calls('POST', '/mp/bookings/{booking_id}/cancel')[0].body).toEqual({})
    expect(detail.dom.textContent).toContain('已退款')
    expect(exists(detail, '#check-in')).toBe(false)
  })

  test('past the free-cancellation time: says whom to call', async () => {
    backend.reply('GET', '/mp/bookings/{booking_id}', data.confirmed({ can_cancel: false }))
    const detail = await page('booking/pages/detail/index', { booking_id: confirmed.id })
    expect(text(detail, '#cancel-closed')).toContain('如需取消，请联系医院')
  })

  test('held: pay from here', async () => {
    let reads = 0
    backend.on('GET', '/mp/bookings/{booking_id}', () => { reads += 1; return ok(reads === 1 ? held : confirmed) })
    backend.reply('POST', '/mp/bookings/{booking_id}/payments', data.payment(), 201)
    const detail = await page('booking/pages/detail/index', { booking_id: held.id })
    await tap(detail, '#pay')
    expect(host.log.payments).toHaveLength(1)
    expect(detail.data.booking.status).toBe('confirmed')
    expect(exists(detail, '#check-in')).toBe(true)
  })

  test('a hold that lapses while the page is open reloads the booking', async () => {
    let reads = 0
    backend.on('GET', '/mp/bookings/{booking_id}', () => {
      reads += 1
      return ok(reads === 1 ? data.booking({ hold_expires_at: new Date(Date.now() + 30000).toISOString() }) : data.booking({ status: 'expired', status_label: '已过期', hold_expires_at: null }))
    })
    const detail = await page('booking/pages/detail/index', { booking_id: held.id })
    const realNow = Date.now
    Date.now = () => realNow() + 31000
    try {
      detail.querySelector('#countdown').instance.tick()
    } finally {
      Date.now = realNow
    }
    await settle()
    expect(detail.data.booking.statusText).toBe('已过期')
    expect(exists(detail, '#pay')).toBe(false)
  })

  test('pre-consultation from the booking', async () => {
    backend.reply('GET', '/mp/bookings/{booking_id}', confirmed)
    const detail = await page('booking/pages/detail/index', { booking_id: confirmed.id })
    await tap(detail, '#pre-consult')
    expect(host.log.navigations[0].url).toBe(`/assistant/pages/chat/index?mode=pre_consultation&patient_id=${confirmed.patient.id}&hospital_id=${confirmed.hospital.id}`)
  })
})
