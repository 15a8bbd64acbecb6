/** 就诊人: list, add with real-name checks, edit relationship and phone, remove. */
const { page, tap, text, exists, input, change, fixture } = require('../support/render')
const { ok } = require('../support/backend')

const list = fixture('profiles').data

describe('profiles list', () => {
  test('shows each person masked, and opens them for editing', async () => {
    backend.reply('GET', '/mp/profiles', list)
    const profiles = await page('pages/profiles/index')
    const first = text(profiles, `#profile-${list[0].id}`)
    expect(first).toContain(list[0].name)
    expect(first).toContain('本人')
    expect(first).toContain(list[0].document_number_masked)
    expect(first).not.toMatch(/\d{17}/)
    await tap(profiles, `#profile-${list[1].id}`)
    expect(host.log.navigations).toEqual([{ type: 'navigateTo', url: `/pages/profile-edit/index?id=${list[1].id}` }])
  })

  test('adding goes through consent first', async () => {
    backend.reply('GET', '/mp/profiles', [])
    backend.reply('GET', '/mp/me', { ...fixture('me').data, privacy_consented_at: null, privacy_policy_version: null })
    const profiles = await page('pages/profiles/index')
    expect(text(profiles, '#empty')).toContain('还没有就诊人')
    await tap(profiles, '#add')
    // On top of the list, so saving the new person comes back to it.
    expect(host.log.navigations[0]).toEqual({ type: 'navigateTo', url: '/pages/consent/index?redirect=%2Fpages%2Fprofile-edit%2Findex' })
  })

  test('ten people is the limit', async () => {
    backend.reply('GET', '/mp/profiles', Array.from({ length: 10 }, (_, i) => ({ ...list[0], id: `p${i}` })))
    const profiles = await page('pages/profiles/index')
    expect(exists(profiles, '#add')).toBe(false)
    expect(profiles.dom.textContent).toContain('最多添加10位就诊人')
  })
})

describe('adding a 就诊人', () => {
  async function fill(form, values) {
    await change(form, '#relationship', String(values.relationship))
    await input(form, '#name', values.name)
    await input(form, '#document-number', values.document_number)
    if (values.phone) await input(form, '#phone', values.phone)
  }

  test('a resident ID shows the sex and birth date it contains, and the form posts clean data', async () => {
    backend.reply('POST', '/mp/profiles', list[1], 201)
    const form = await page('pages/profile-edit/index')
    await fill(form, { relationship: 3, name: ' 陈静 ', document_number: '１１０１０５１９８５１１２０００４７', phone: '138 0013 8002' })
    expect(text(form, '#derived')).toBe('女 · 1985-11-20 出生')
    expect(exists(form, '#sex')).toBe(false)
    await tap(form, '#save')
    expect(backend.calls('POST', '/mp/profiles')[0].body).toEqual({
      relationship: 'spouse', name: '陈静', document_type: 'resident_id', document_number: '110105198511200047', phone: '138 0013 8002',
    })
    expect(host.log.toasts).toContain('已添加')
    expect(host.log.navigations).toEqual([{ type: 'navigateBack', delta: 1 }])
  })

  test('mistakes are shown next to their field before anything is sent', async () => {
    const form = await page('pages/profile-edit/index')
    await fill(form, { relationship: 2, name: '张', document_number: '110105201901010000', phone: '123' })
    await tap(form, '#save')
    expect(text(form, '#error-name')).toBe('请填写证件上的真实姓名。')
    expect(text(form, '#error-document_number')).toBe('身份证号码校验不通过，请核对后重新输入。')
    expect(text(form, '#error-phone')).toBe('手机号码格式不正确，请输入11位手机号。')
    expect(backend.calls('POST', '/mp/profiles')).toHaveLength(0)
    await input(form, '#name', '张子涵')
    expect(exists(form, '#error-name')).toBe(false) // fixing a field clears its message
  })

  test('other documents ask for sex and birth date', async () => {
    backend.reply('POST', '/mp/profiles', list[0], 201)
    const form = await page('pages/profile-edit/index')
    await change(form, '#document-type', '1')
    await fill(form, { relationship: 0, name: 'Anna Smith', document_number: 'E12345678' })
    await tap(form, '#save')
    expect(text(form, '#error-sex')).toBe('请选择性别。')
    await change(form, '#sex', '1')
    await change(form, '#birth-date', '1990-05-01')
    await tap(form, '#save')
    expect(backend.calls('POST', '/mp/profiles')[0].body).toMatchObject({ document_type: 'passport', sex: 'female', birth_date: '1990-05-01' })
  })

  test('the backend\'s refusal lands on the field it names', async () => {
    backend.on('POST', '/mp/profiles', () => ({ status: 409, body: { error: { code: 'self_profile_exists', message: '您已添加过本人信息。', field: 'relationship', request_id: 'r' } } }))
    const form = await page('pages/profile-edit/index')
    await fill(form, { relationship: 0, name: '张伟', document_number: '110105198203150033' })
    await tap(form, '#save')
    expect(text(form, '#error-relationship')).toBe('您已添加过本人信息。')
    expect(host.log.navigations).toHaveLength(0)
  })
})

describe('editing a 就诊人', () => {
  const person = list[1]

  beforeEach(() => {
    backend.reply('GET', '/mp/profiles/{profile_id}', person)
  })

  test('identity is read-only; relationship and phone are sent', async () => {
    backend.on('PATCH', '/mp/profiles/{profile_id}', (r) => ok({ ...person, relationship: r.body.relationship }))
    const form = await page('pages/profile-edit/index', { id: person.id })
    expect(text(form, '#readonly-name')).toBe(person.name)
    expect(exists(form, '#name')).toBe(false)
    await change(form, '#relationship', '7')
    await input(form, '#phone', '13900001111')
    await tap(form, '#save')
    const [patch] = backend.calls('PATCH', '/mp/profiles/{profile_id}')
    expect(patch.params.profile_id).toBe(person.id)
    expect(patch.body).toEqual({ relationship: 'other_relative', phone: '13900001111' })
    expect(host.log.navigations).toEqual([{ type: 'navigateBack', delta: 1 }])
  })

  test('removing asks first', async () => {
    backend.reply('DELETE', '/mp/profiles/{profile_id}', { ok: true })
    const form = await page('pages/profile-edit/index', { id: person.id })
    host.behaviour.modalConfirm = false
    await tap(form, '#remove')
    expect(backend.calls('DELETE', '/mp/profiles/{profile_id}')).toHaveLength(0)
    host.behaviour.modalConfirm = true
    await tap(form, '#remove')
    expect(host.log.modals[1].content).toContain(person.name)
    expect(backend.calls('DELETE', '/mp/profiles/{profile_id}')).toHaveLength(1)
    expect(host.log.navigations).toEqual([{ type: 'navigateBack', delta: 1 }])
  })
})
