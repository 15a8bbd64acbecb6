/** 腰围和吸烟: the resident tells the family doctor their waist and smoking for the heart-risk
 * estimate; replies recorded from the demo backend. */
const { page, tap, text, exists, input, fixture } = require('../support/render')

const people = fixture('profiles').data
const father = people.find((p) => p.name === '张建国')
const PATH = '/mp/followup/risk-factors'

async function open(found = fixture('followup_risk_factors_empty').data) {
  backend.reply('GET', PATH, found)
  return page('followup/pages/waist-smoking/index', { patient_id: father.id, name: encodeURIComponent('张建国') })
}

test('nothing told yet: the form asks for waist and smoking', async () => {
  const form = await open()
  expect(backend.calls('GET', PATH)[0].query).toEqual({ patient_id: father.id })
  expect(text(form, '#who')).toContain('张建国')
  expect(exists(form, '#known-waist_cm')).toBe(false)
  expect(exists(form, '#waist')).toBe(true)
})

test('a waist and no smoking are saved and shown with their date and who gave them', async () => {
  const form = await open()
  backend.reply('POST', PATH, fixture('followup_risk_factors_saved').data, 201)
  backend.reply('GET', PATH, fixture('followup_risk_factors').data)
  await input(form, '#waist', '88')
  await tap(form, '#smoker-no')
  await tap(form, '#save')
  expect(backend.calls('POST', PATH)[0].body).toEqual({ patient_id: father.id, waist_cm: 88, current_smoker: 'no' })
  expect(text(form, '#saved')).toBe('已保存，家庭医生会看到。')
  const day = fixture('followup_risk_factors').data.entries[0].observed_on
  expect(text(form, '#known-waist_cm')).toBe(`腰围：88厘米（${day}，自己填写）`)
  expect(text(form, '#known-current_smoker')).toBe(`吸烟：不吸烟或已戒烟（${day}，自己填写）`)
})

test('an implausible waist is refused with the backend\'s plain words', async () => {
  const form = await open()
  const refusal = fixture('followup_risk_factors_error')
  backend.on('POST', PATH, () => ({ status: 422, body: refusal }))
  await input(form, '#waist', '300')
  await tap(form, '#save')
  expect(text(form, '#error')).toBe(refusal.error.message)
  expect(exists(form, '#saved')).toBe(false)
})

test('an empty form is not sent', async () => {
  const form = await open()
  await tap(form, '#save')
  expect(backend.calls('POST', PATH)).toHaveLength(0)
  expect(text(form, '#error')).toBe('请填写腰围，或选择是否吸烟。')
})
