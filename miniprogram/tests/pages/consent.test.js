/** The privacy policy gate before any health data is entered. */
const { page, tap, text, exists, fixture } = require('../support/render')
const account = require('../../services/account')
const privacy = require('../../config/privacy')

describe('consent page', () => {
  test('agreeing records this policy version and returns to where the person was going', async () => {
    backend.reply('POST', '/mp/me/consent', { ...fixture('me').data, privacy_policy_version: privacy.version })
    const consent = await page('pages/consent/index', { redirect: encodeURIComponent('/pages/profile-edit/index') })
    expect(consent.dom.textContent).toContain('我们收集哪些信息')
    await tap(consent, '#agree')
    expect(backend.calls('POST', '/mp/me/consent')[0].body).toEqual({ policy_version: privacy.version })
    expect(host.log.navigations).toEqual([{ type: 'redirectTo', url: '/pages/profile-edit/index' }])
  })

  test('declining explains what still works and offers the way home', async () => {
    const consent = await page('pages/consent/index', {})
    await tap(consent, '#decline')
    expect(text(consent, '#declined-note')).toContain('不能添加就诊人、问诊和挂号')
    await tap(consent, '#go-home')
    expect(host.log.navigations).toEqual([{ type: 'reLaunch', url: '/pages/index/index' }])
    expect(backend.calls('POST', '/mp/me/consent')).toHaveLength(0)
  })

  test('the policy tells people what happens to their voice and to follow-up call recordings', async () => {
    const consent = await page('pages/consent/index', { mode: 'read' })
    const said = consent.dom.textContent
    expect(said).toContain('语音和随访电话')
    expect(said).toContain('不保存录音')
    expect(said).toContain('加密保存180天')
  })

  test('read-only from settings: no buttons', async () => {
    const consent = await page('pages/consent/index', { mode: 'read' })
    expect(exists(consent, '#agree')).toBe(false)
  })

  test('ensureConsent sends people who have not agreed (or agreed to an older policy) to the policy', async () => {
    backend.reply('GET', '/mp/me', { ...fixture('me').data, privacy_policy_version: '2025-01' })
    await expect(account.ensureConsent('/pages/profile-edit/index')).resolves.toBe(false)
    expect(host.log.navigations[0].url).toBe('/pages/consent/index?redirect=%2Fpages%2Fprofile-edit%2Findex')
    host.log.navigations.length = 0
    backend.reply('GET', '/mp/me', { ...fixture('me').data, privacy_policy_version: '2026-01' })
    await expect(account.ensureConsent('/pages/profile-edit/index')).resolves.toBe(false)
    expect(host.log.navigations[0].url).toBe('/pages/consent/index?redirect=%2Fpages%2Fprofile-edit%2Findex')
    backend.reply('GET', '/mp/me', fixture('me').data)
    await expect(account.ensureConsent('/x')).resolves.toBe(true)
  })
})

describe.each(require('../support/alipay-host').HOSTS)('the host\'s privacy check on %s', (kind) => {
  const hostPrivacy = require('../../services/privacy')

  beforeEach(() => require('../support/alipay-host').useHost(kind))

  test('a held privacy API opens our policy once; agreeing there lets every held call go on', async () => {
    expect(hostPrivacy.watch()).toBe(true)
    const answers = []
    host.log.privacyListener((answer) => answers.push(answer), { referrer: 'getLocation' })
    host.log.privacyListener((answer) => answers.push(answer), { referrer: 'chooseImage' })
    expect(host.log.navigations).toEqual([{ type: 'navigateTo', url: '/pages/consent/index?mode=host' }])
    backend.reply('POST', '/mp/me/consent', { ...fixture('me').data, privacy_policy_version: privacy.version })
    const consent = await page('pages/consent/index', { mode: 'host' })
    consent.querySelector('#agree').dispatchEvent('agreeprivacyauthorization') // the same tap, as the host fires it
    await tap(consent, '#agree')
    expect(answers).toEqual([{ event: 'agree', buttonId: 'agree' }, { event: 'agree', buttonId: 'agree' }])
    expect(hostPrivacy.isWaiting()).toBe(false)
    expect(backend.calls('POST', '/mp/me/consent')).toHaveLength(1)
    expect(host.log.navigations.slice(-1)[0]).toEqual({ type: 'navigateBack', url: undefined, delta: 1 })
  })

  test('declining fails the held call and keeps public pages open', async () => {
    hostPrivacy.watch()
    const answers = []
    host.log.privacyListener((answer) => answers.push(answer), { referrer: 'getLocation' })
    const consent = await page('pages/consent/index', { mode: 'host' })
    await tap(consent, '#decline')
    expect(answers).toEqual([{ event: 'disagree' }])
    expect(text(consent, '#declined-note')).toContain('不能添加就诊人')
  })

  test('an older host without the hook keeps its own privacy popup', () => {
    delete (kind === 'alipay' ? my : wx).onNeedPrivacyAuthorization
    expect(hostPrivacy.watch()).toBe(false)
  })
})
