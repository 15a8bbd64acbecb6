/** 健康画像: only what the family doctor approved, each line with its records; before approval a
 * plain word that it is coming; without consent, the privacy policy first. Replies recorded
 * from the demo backend (张建国's portrait approved by 李红梅 in the console). */
const { page, tap, text, exists, fixture } = require('../support/render')

const people = fixture('profiles').data
const father = people.find((p) => p.name === '张建国')
const self = people.find((p) => p.relationship === 'self')
const approved = fixture('portrait_approved').data

function signedIn(me = fixture('me').data) {
  backend.reply('GET', '/mp/me', me)
  backend.reply('GET', '/mp/profiles', people)
}

test('the approved portrait: every section, every line with the records it rests on', async () => {
  signedIn()
  backend.reply('GET', '/mp/portrait', approved)
  const shown = await page('followup/pages/portrait/index', { patient_id: father.id })
  expect(backend.calls('GET', '/mp/portrait')[0].query).toEqual({ patient_id: father.id })
  expect(text(shown, '#who')).toContain('张建国')
  expect(text(shown, '#about')).toContain(`第${approved.version}版`)
  approved.sections.forEach((section) => {
    expect(text(shown, `#section-${section.key}`)).toContain(section.title)
    section.statements.forEach((statement, i) => {
      const line = text(shown, `#${section.key}-${i}`)
      expect(line).toContain(statement.text)
      statement.evidence.forEach((e) => expect(line).toContain(`依据：${e.date} ${e.label}`))
    })
  })
  expect(exists(shown, '#updating')).toBe(false)
})

test('while the doctor reviews newer results, the page says the update is coming', async () => {
  signedIn()
  backend.reply('GET', '/mp/portrait', { ...approved, updating: true })
  const shown = await page('followup/pages/portrait/index', { patient_id: father.id })
  expect(text(shown, '#updating')).toContain('医生正在更新')
})

test('before the doctor approves one, nothing but the backend\'s plain words', async () => {
  signedIn()
  const refused = fixture('portrait_not_approved')
  backend.on('GET', '/mp/portrait', () => ({ status: 404, body: refused }))
  const shown = await page('followup/pages/portrait/index', { patient_id: self.id })
  expect(text(shown, '#waiting')).toBe(refused.error.message)
  expect(exists(shown, '#about')).toBe(false)
})

test('without consent to the privacy policy, the policy comes first and nothing is asked', async () => {
  signedIn({ ...fixture('me').data, privacy_policy_version: '2025-01' })
  await page('followup/pages/portrait/index', { patient_id: father.id })
  expect(host.log.navigations[0].url).toBe(
    `/pages/consent/index?redirect=${encodeURIComponent(`/followup/pages/portrait/index?patient_id=${father.id}`)}`)
  expect(backend.calls('GET', '/mp/portrait')).toHaveLength(0)
})

test('another person is picked from the family list', async () => {
  signedIn()
  backend.reply('GET', '/mp/portrait', approved)
  const shown = await page('followup/pages/portrait/index', { patient_id: father.id })
  await tap(shown, '#who')
  expect(exists(shown, '#picker')).toBe(true)
})
