/** 提醒方式: the resident agrees to (or stops) follow-up texts and calls with one tap each, and
 * says a number works again; replies recorded from the demo backend. */
const { page, tap, text, exists, fixture } = require('../support/render')

const people = fixture('profiles').data
const father = people.find((p) => p.name === '张建国')

async function open(consent = fixture('followup_consent').data) {
  backend.reply('GET', '/mp/followup/reminder-consent', consent)
  return page('followup/pages/reminders/index', { patient_id: father.id, name: encodeURIComponent('张建国') })
}

test('the choices and the masked number the texts go to', async () => {
  const reminders = await open()
  expect(backend.calls('GET', '/mp/followup/reminder-consent')[0].query).toEqual({ patient_id: father.id })
  expect(text(reminders, '#phone')).toContain(fixture('followup_consent').data.phone)
  expect(text(reminders, '#sms-state')).toBe('点此同意')
  expect(exists(reminders, '#unreachable')).toBe(false)
})

test('one tap agrees to texts, and the page says it is saved', async () => {
  const reminders = await open()
  backend.reply('PUT', '/mp/followup/reminder-consent', fixture('followup_consent_saved').data)
  await tap(reminders, '#sms')
  expect(backend.calls('PUT', '/mp/followup/reminder-consent')[0].body).toEqual({ patient_id: father.id, sms: true })
  expect(text(reminders, '#sms-state')).toBe('已同意，点此关闭')
  expect(text(reminders, '#saved')).toBe('已保存。')
})

test('a number reported out of service can be said to work again', async () => {
  const reminders = await open({ ...fixture('followup_consent').data, phone_unreachable: true })
  backend.reply('PUT', '/mp/followup/reminder-consent', fixture('followup_consent').data)
  await tap(reminders, '#phone-works')
  expect(backend.calls('PUT', '/mp/followup/reminder-consent')[0].body).toEqual(
    { patient_id: father.id, phone_works: true })
  expect(exists(reminders, '#unreachable')).toBe(false)
})
