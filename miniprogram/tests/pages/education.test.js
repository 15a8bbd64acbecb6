/** 健康知识: the items offered to the resident, newest first; opening one shows it whole with
 * its source and marks it read once; replies recorded from the demo backend. */
const { page, tap, text, exists, fixture } = require('../support/render')

const people = fixture('profiles').data
const father = people.find((p) => p.name === '张建国')
const offered = fixture('followup_education').data

async function open() {
  backend.reply('GET', '/mp/education', offered)
  return page('followup/pages/education/index', { patient_id: father.id, name: encodeURIComponent('张建国') })
}

test('what was offered, newest first, new ones marked', async () => {
  const education = await open()
  expect(backend.calls('GET', '/mp/education')[0].query).toEqual({ patient_id: father.id })
  expect(text(education, '#who')).toContain('张建国')
  expect(text(education, '#item-0-title')).toBe(offered[0].item.title)
  expect(text(education, '#item-0-state')).toBe('新')
  expect(exists(education, '#item-0-body')).toBe(false)
})

test('opening an item shows it with its source and marks it read once', async () => {
  const education = await open()
  backend.reply('POST', `/mp/education/${offered[0].id}/read`, fixture('followup_education_read').data)
  await tap(education, '#item-0')
  expect(text(education, '#item-0-body')).toBe(offered[0].item.body)
  expect(text(education, '#item-0-source')).toContain(offered[0].item.source)
  expect(text(education, '#item-0-state')).toBe('已读')
  await tap(education, '#item-0')
  await tap(education, '#item-0')
  expect(backend.calls('POST', `/mp/education/${offered[0].id}/read`)).toHaveLength(1)
})

test('someone not in a programme is told so, not shown an error', async () => {
  backend.on('GET', '/mp/education', () => ({ status: 404, body: {
    error: { code: 'not_enrolled', message: '还没有给这位就诊人的健康知识。' } } }))
  const education = await page('followup/pages/education/index', { patient_id: father.id })
  expect(text(education, '#empty')).toBe('还没有给这位就诊人的健康知识。')
  expect(exists(education, '#error')).toBe(false)
})
