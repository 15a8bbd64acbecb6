/** Every component renders its inputs and says what was tapped. */
const { component, settle, text, exists, tap, fixture } = require('../support/render')
const bookingData = require('../support/bookings')
const bookings = require('../../booking/services/bookings')
const clock = require('../../utils/clock')

describe('patient-picker', () => {
  const profiles = fixture('profiles').data

  test('lists each person with the relationship in words and reports the choice', async () => {
    const picker = component('components/patient-picker/index', { profiles, selectedId: profiles[1].id })
    await settle()
    expect(picker.querySelectorAll('.person')).toHaveLength(profiles.length)
    expect(text(picker, `#person-${profiles[0].id}`)).toContain(`${profiles[0].name}`)
    expect(text(picker, `#person-${profiles[0].id}`)).toContain('本人')
    expect(text(picker, `#person-${profiles[1].id}`)).toContain('已选')
    const chosen = []
    picker.addEventListener('select', (e) => chosen.push(e.detail.profile.id))
    picker.addEventListener('add', () => chosen.push('add'))
    await tap(picker, `#person-${profiles[2].id}`)
    await tap(picker, '#add-person')
    expect(chosen).toEqual([profiles[2].id, 'add'])
  })
})

describe('chat components', () => {
  test('chat-bubble shows who speaks and a failed send', () => {
    const bubble = component('assistant/components/chat-bubble/index', { role: 'patient', text: '头疼', failed: true })
    expect(bubble.dom.innerHTML).toContain('bubble-patient')
    expect(bubble.dom.textContent).toContain('头疼')
    expect(bubble.dom.textContent).toContain('没发出去')
  })

  test('quick-replies: one button each, 120 in red, taps reported unless disabled', async () => {
    const replies = fixture('chat_red_flag').turns[0].reply.data.quick_replies
    const quick = component('assistant/components/quick-replies/index', { replies })
    await settle()
    expect(quick.querySelectorAll('.reply')).toHaveLength(2)
    expect(quick.querySelector('#reply-0').dom.className).toContain('reply-danger')
    const chosen = []
    quick.addEventListener('choose', (e) => chosen.push(e.detail.reply))
    await tap(quick, '#reply-1')
    quick.setData({ disabled: true })
    await tap(quick, '#reply-0')
    expect(chosen).toEqual(['我知道了'])
  })

  test('typing-indicator says the assistant is answering', () => {
    const typing = component('assistant/components/typing-indicator/index')
    expect(typing.dom.textContent).toContain('助手正在回复')
  })

  test('triage-card shows basis and confidence and books the tapped department', async () => {
    const chat = require('../../assistant/services/chat')
    const turn = fixture('chat_triage').turns.slice(-1)[0].reply.data
    const card = component('assistant/components/triage-card/index', { recommendations: chat.triageView(turn), uncertain: false })
    await settle()
    expect(card.dom.textContent).toContain(`1. ${turn.triage[0].name}`)
    expect(card.dom.textContent).toContain('依据：')
    expect(card.dom.textContent).toMatch(/把握.+%/)
    expect(card.dom.textContent).toContain('最终请以医生的判断为准')
    const booked = []
    card.addEventListener('book', (e) => booked.push(e.detail.department.code))
    await tap(card, '#book-1')
    expect(booked).toEqual([turn.triage[1].code])
  })

  test('triage-card says when the assistant is unsure', () => {
    const card = component('assistant/components/triage-card/index', { recommendations: [], uncertain: true })
    expect(card.dom.textContent).toContain('还不能确定看哪个科')
  })
})

describe('booking components', () => {
  test('hold-countdown counts down by the server clock and fires expire once', async () => {
    const expiresAt = new Date(Date.now() + 90 * 1000).toISOString()
    const countdown = component('booking/components/hold-countdown/index', { expiresAt })
    await settle()
    expect(text(countdown, '#countdown-text')).toMatch(/^1分(29|30)秒$/)
    expect(countdown.dom.innerHTML).toContain('notice-danger') // under two minutes: urgent
    let expired = 0
    countdown.addEventListener('expire', () => { expired += 1 })
    const realNow = Date.now
    Date.now = () => realNow() + 91 * 1000
    try {
      countdown.instance.tick()
      countdown.instance.tick()
    } finally {
      Date.now = realNow
    }
    await settle()
    expect(exists(countdown, '#countdown-expired')).toBe(true)
    expect(expired).toBe(1)
    clock.reset()
  })

  test('booking-summary shows who, when, where and the fee in yuan', () => {
    const summary = component('booking/components/booking-summary/index', { booking: bookings.view(bookingData.confirmed()) })
    const textContent = summary.dom.textContent
    expect(textContent).toContain('神经内科 · 普通门诊')
    expect(textContent).toContain('预约成功')
    expect(textContent).toContain('¥10.00')
    expect(textContent).toContain('上午 08:00-08:30')
    expect(textContent).toContain(bookingData.ids().patient.name)
  })

  test('queue-card shows the number and people ahead, or that it is nearly time', () => {
    const card = component('booking/components/queue-card/index', { queue: { number: 12, ahead: 3, estimated_wait_minutes: 20, status: 'waiting' } })
    expect(text(card, '#queue-number')).toBe('12号')
    expect(card.dom.textContent.replace(/\s/g, '')).toContain('前面还有3人，大约等20分钟')
    card.setData({ queue: { number: 12, ahead: 0, estimated_wait_minutes: 0, status: 'waiting' } })
    expect(card.dom.textContent).toContain('马上就到您了')
  })
})

